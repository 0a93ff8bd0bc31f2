"""Regenerates every math fixture (losses, metrics, schedulers, optimizers + clipping)."""
import gen_losses
import gen_metrics
import gen_optim
import gen_schedulers

if __name__ == '__main__':
    for module in (gen_losses, gen_metrics, gen_schedulers, gen_optim):
        module.main()
