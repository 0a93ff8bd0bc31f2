/** Result of asking a backend whether it can run here. `fix` is the exact command or step that would make it available. */
export type BackendProbe = { readonly ok: true; readonly detail?: string } | { readonly ok: false; readonly reason: string; readonly fix?: string };

/** What an activated backend really runs on. */
export interface BackendInfo {
  /** Kiln backend name (`wasm`, `native`, `native-gpu`, `cpu`). */
  readonly name: string;
  /** The tfjs backend name now active (`tf.getBackend()`). */
  readonly tfBackend: string;
  /** The device in use, e.g. `CPU`, `NVIDIA A100`, `wasm (1 thread)`. */
  readonly device: string;
}

/**
 * A backend a plugin provides. `probe` must be cheap and side-effect free; `activate` loads and
 * selects it (`tf.setBackend`). Higher `priority` wins under `backend: auto`.
 */
export interface BackendProvider {
  readonly name: string;
  readonly priority: number;
  readonly description: string;
  probe(): Promise<BackendProbe>;
  activate(options?: Record<string, unknown>): Promise<BackendInfo>;
}
