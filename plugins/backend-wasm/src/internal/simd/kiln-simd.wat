;; Kiln's SIMD kernels for the tfjs wasm backend. They run in the main thread on tfjs-wasm's own
;; memory (imported), on float32 data laid out [rows, c] with c a multiple of 4. Pointers are byte
;; offsets into that memory. scripts/build-simd.mjs compiles this file twice (the single-threaded
;; build's plain memory and the threaded build's shared memory) into kiln-simd.wasm.ts.
(module
  (import "env" "memory" (memory 0 @MEMORY_MAX@))

  ;; f64 accumulators at $p (4 doubles) += the 4 float lanes of $v.
  (func $acc (param $p i32) (param $v v128)
    (v128.store (local.get $p)
      (f64x2.add (v128.load (local.get $p)) (f64x2.promote_low_f32x4 (local.get $v))))
    (v128.store offset=16 (local.get $p)
      (f64x2.add (v128.load offset=16 (local.get $p))
        (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))))

  ;; Per channel j: s1[j] += Σ_r a[r,j]; s2[j] += Σ_r a[r,j]·(b[r,j] − m[j]), or Σ_r a[r,j]² when
  ;; $b is −1. With $mask (not −1), a[r,j] counts only where mask[r,j] > 0 (a ReLU's output).
  ;; float32 partial sums over blocks of 8 rows, float64 across blocks (s1, s2: f64[c]).
  (func (export "channelSums") (param $a i32) (param $b i32) (param $m i32) (param $mask i32) (param $rows i32) (param $c i32) (param $s1 i32) (param $s2 i32)
    (local $stride i32) (local $r0 i32) (local $n i32) (local $g i32) (local $pa i32) (local $pb i32) (local $pm i32) (local $end i32)
    (local $sa v128) (local $sq v128) (local $v v128) (local $mv v128)
    (local.set $stride (i32.shl (local.get $c) (i32.const 2)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $r0) (local.get $rows)))
        (local.set $n (i32.sub (local.get $rows) (local.get $r0)))
        (if (i32.gt_u (local.get $n) (i32.const 8)) (then (local.set $n (i32.const 8))))
        (local.set $g (i32.const 0))
        (block $gdone
          (loop $groups
            (br_if $gdone (i32.ge_u (local.get $g) (local.get $c)))
            (local.set $pa (i32.add (local.get $a)
              (i32.shl (i32.add (i32.mul (local.get $r0) (local.get $c)) (local.get $g)) (i32.const 2))))
            (local.set $end (i32.add (local.get $pa) (i32.mul (local.get $n) (local.get $stride))))
            (local.set $sa (v128.const i32x4 0 0 0 0))
            (local.set $sq (v128.const i32x4 0 0 0 0))
            (if (i32.eq (local.get $b) (i32.const -1))
              (then
                (loop $sq_rows
                  (local.set $v (v128.load (local.get $pa)))
                  (local.set $sa (f32x4.add (local.get $sa) (local.get $v)))
                  (local.set $sq (f32x4.add (local.get $sq) (f32x4.mul (local.get $v) (local.get $v))))
                  (local.set $pa (i32.add (local.get $pa) (local.get $stride)))
                  (br_if $sq_rows (i32.lt_u (local.get $pa) (local.get $end)))))
              (else
                (local.set $pb (i32.add (local.get $b) (i32.sub (local.get $pa) (local.get $a))))
                (local.set $pm (i32.add (local.get $mask) (i32.sub (local.get $pa) (local.get $a))))
                (local.set $mv (v128.load (i32.add (local.get $m) (i32.shl (local.get $g) (i32.const 2)))))
                (loop $xy_rows
                  (local.set $v (v128.load (local.get $pa)))
                  (if (i32.ne (local.get $mask) (i32.const -1))
                    (then (local.set $v (v128.and (local.get $v) (f32x4.gt (v128.load (local.get $pm)) (f32x4.splat (f32.const 0)))))))
                  (local.set $sa (f32x4.add (local.get $sa) (local.get $v)))
                  (local.set $sq (f32x4.add (local.get $sq)
                    (f32x4.mul (local.get $v) (f32x4.sub (v128.load (local.get $pb)) (local.get $mv)))))
                  (local.set $pa (i32.add (local.get $pa) (local.get $stride)))
                  (local.set $pb (i32.add (local.get $pb) (local.get $stride)))
                  (local.set $pm (i32.add (local.get $pm) (local.get $stride)))
                  (br_if $xy_rows (i32.lt_u (local.get $pa) (local.get $end))))))
            (call $acc (i32.add (local.get $s1) (i32.shl (local.get $g) (i32.const 3))) (local.get $sa))
            (call $acc (i32.add (local.get $s2) (i32.shl (local.get $g) (i32.const 3))) (local.get $sq))
            (local.set $g (i32.add (local.get $g) (i32.const 4)))
            (br $groups)))
        (local.set $r0 (i32.add (local.get $r0) (i32.const 8)))
        (br $blocks))))

  ;; out[r,j] = a[r,j]·ka[j] + k0[j] (+ b[r,j]·kb[j] when $b is not −1)
  ;; (batch-norm forward: y = x·scale' + shift; backward: dx = dy·A + x·B + C). With $mask (not
  ;; −1), a[r,j] counts only where mask[r,j] > 0; with $relu (1), negative results become 0.
  (func (export "channelAffine") (param $a i32) (param $b i32) (param $mask i32) (param $out i32) (param $rows i32) (param $c i32) (param $ka i32) (param $kb i32) (param $k0 i32) (param $relu i32)
    (local $stride i32) (local $end i32) (local $rowEnd i32) (local $g i32) (local $pa i32) (local $pb i32) (local $pm i32) (local $po i32) (local $av v128) (local $acc v128)
    (local.set $stride (i32.shl (local.get $c) (i32.const 2)))
    (local.set $end (i32.add (local.get $a) (i32.mul (local.get $rows) (local.get $stride))))
    (local.set $pa (local.get $a))
    (local.set $pb (local.get $b))
    (local.set $pm (local.get $mask))
    (local.set $po (local.get $out))
    (block $done
      (loop $rowsl
        (br_if $done (i32.ge_u (local.get $pa) (local.get $end)))
        (local.set $rowEnd (i32.add (local.get $pa) (local.get $stride)))
        (local.set $g (i32.const 0))
        (loop $groups
          (local.set $av (v128.load (local.get $pa)))
          (if (i32.ne (local.get $mask) (i32.const -1))
            (then
              (local.set $av (v128.and (local.get $av) (f32x4.gt (v128.load (local.get $pm)) (f32x4.splat (f32.const 0)))))
              (local.set $pm (i32.add (local.get $pm) (i32.const 16)))))
          (local.set $acc (f32x4.add
            (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $ka) (local.get $g))))
            (v128.load (i32.add (local.get $k0) (local.get $g)))))
          (if (i32.ne (local.get $b) (i32.const -1))
            (then
              (local.set $acc (f32x4.add (local.get $acc)
                (f32x4.mul (v128.load (local.get $pb)) (v128.load (i32.add (local.get $kb) (local.get $g))))))
              (local.set $pb (i32.add (local.get $pb) (i32.const 16)))))
          ;; ReLU keeps NaN (as tfjs's relu): only lanes that compare < 0 become 0.
          (if (local.get $relu)
            (then (local.set $acc (v128.andnot (local.get $acc) (f32x4.lt (local.get $acc) (f32x4.splat (f32.const 0)))))))
          (v128.store (local.get $po) (local.get $acc))
          (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
          (local.set $po (i32.add (local.get $po) (i32.const 16)))
          (local.set $g (i32.add (local.get $g) (i32.const 16)))
          (br_if $groups (i32.lt_u (local.get $pa) (local.get $rowEnd))))
        (br $rowsl))))

  ;; MaxPool gradient for 2×2 windows, stride 2, no padding, even input sizes: every dx element is
  ;; written once, dy where it is its window's first maximum (strict >, from −∞, in window order
  ;; (0,0) (0,1) (1,0) (1,1)), else 0. x, dx: [nb, ih, iw, c]; dy: [nb, ih/2, iw/2, c].
  (func (export "maxPool2x2Grad") (param $x i32) (param $dy i32) (param $dx i32) (param $nb i32) (param $ih i32) (param $iw i32) (param $c i32)
    (local $cb i32) (local $row i32) (local $p i32) (local $end i32) (local $rowEnd i32) (local $pixEnd i32) (local $o i32) (local $d i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $m v128) (local $w v128) (local $t v128) (local $gv v128)
    (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
    (local.set $row (i32.mul (local.get $iw) (local.get $cb)))
    (local.set $p (local.get $x))
    (local.set $d (local.get $dy))
    (local.set $end (i32.add (local.get $x) (i32.mul (i32.mul (local.get $nb) (local.get $ih)) (local.get $row))))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $rowEnd (i32.add (local.get $p) (local.get $row)))
        (loop $windows
          (local.set $pixEnd (i32.add (local.get $p) (local.get $cb)))
          (loop $groups
            (local.set $o (i32.sub (local.get $p) (local.get $x)))
            (local.set $v0 (v128.load (local.get $p)))
            (local.set $v1 (v128.load (i32.add (local.get $p) (local.get $cb))))
            (local.set $v2 (v128.load (i32.add (local.get $p) (local.get $row))))
            (local.set $v3 (v128.load (i32.add (i32.add (local.get $p) (local.get $row)) (local.get $cb))))
            (local.set $m (f32x4.splat (f32.const -inf)))
            (local.set $w (i32x4.splat (i32.const -1)))
            (local.set $t (f32x4.gt (local.get $v0) (local.get $m)))
            (local.set $m (v128.bitselect (local.get $v0) (local.get $m) (local.get $t)))
            (local.set $w (v128.bitselect (i32x4.splat (i32.const 0)) (local.get $w) (local.get $t)))
            (local.set $t (f32x4.gt (local.get $v1) (local.get $m)))
            (local.set $m (v128.bitselect (local.get $v1) (local.get $m) (local.get $t)))
            (local.set $w (v128.bitselect (i32x4.splat (i32.const 1)) (local.get $w) (local.get $t)))
            (local.set $t (f32x4.gt (local.get $v2) (local.get $m)))
            (local.set $m (v128.bitselect (local.get $v2) (local.get $m) (local.get $t)))
            (local.set $w (v128.bitselect (i32x4.splat (i32.const 2)) (local.get $w) (local.get $t)))
            (local.set $t (f32x4.gt (local.get $v3) (local.get $m)))
            (local.set $w (v128.bitselect (i32x4.splat (i32.const 3)) (local.get $w) (local.get $t)))
            (local.set $gv (v128.load (local.get $d)))
            (v128.store (i32.add (local.get $dx) (local.get $o))
              (v128.and (local.get $gv) (i32x4.eq (local.get $w) (i32x4.splat (i32.const 0)))))
            (v128.store (i32.add (i32.add (local.get $dx) (local.get $o)) (local.get $cb))
              (v128.and (local.get $gv) (i32x4.eq (local.get $w) (i32x4.splat (i32.const 1)))))
            (v128.store (i32.add (i32.add (local.get $dx) (local.get $o)) (local.get $row))
              (v128.and (local.get $gv) (i32x4.eq (local.get $w) (i32x4.splat (i32.const 2)))))
            (v128.store (i32.add (i32.add (i32.add (local.get $dx) (local.get $o)) (local.get $row)) (local.get $cb))
              (v128.and (local.get $gv) (i32x4.eq (local.get $w) (i32x4.splat (i32.const 3)))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (br_if $groups (i32.lt_u (local.get $p) (local.get $pixEnd))))
          ;; next window: skip the second pixel of this one
          (local.set $p (i32.add (local.get $p) (local.get $cb)))
          (br_if $windows (i32.lt_u (local.get $p) (local.get $rowEnd))))
        ;; next pair of rows: skip the second row
        (local.set $p (i32.add (local.get $p) (local.get $row)))
        (br $pairs))))

  ;; One tap of a transposed im2col: for each of `planes` [h, w] input planes (channel-major
  ;; xT) and each output row r, dst row = plane[r·sh + dh, q·sw + dw] for q in [qLo, qHi), zero
  ;; elsewhere (padding). dh/dw are the tap's offsets minus the padding; the caller computes qLo/qHi.
  (func (export "im2colTap") (param $src i32) (param $dst i32) (param $planes i32) (param $h i32) (param $w i32)
    (param $oh i32) (param $ow i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32) (param $qLo i32) (param $qHi i32)
    (local $pl i32) (local $r i32) (local $ih i32) (local $plane i32) (local $rowSrc i32) (local $q i32) (local $d i32) (local $owb i32) (local $planeBytes i32)
    (local.set $owb (i32.shl (local.get $ow) (i32.const 2)))
    (local.set $planeBytes (i32.shl (i32.mul (local.get $h) (local.get $w)) (i32.const 2)))
    (local.set $d (local.get $dst))
    (local.set $plane (local.get $src))
    (block $pdone
      (loop $planesl
        (br_if $pdone (i32.ge_u (local.get $pl) (local.get $planes)))
        (local.set $r (i32.const 0))
        (block $rdone
          (loop $rowsl
            (br_if $rdone (i32.ge_u (local.get $r) (local.get $oh)))
            (local.set $ih (i32.add (i32.mul (local.get $r) (local.get $sh)) (local.get $dh)))
            (if (i32.or (i32.or (i32.lt_s (local.get $ih) (i32.const 0)) (i32.ge_s (local.get $ih) (local.get $h)))
                        (i32.le_s (local.get $qHi) (local.get $qLo)))
              (then (memory.fill (local.get $d) (i32.const 0) (local.get $owb)))
              (else
                (if (i32.gt_s (local.get $qLo) (i32.const 0))
                  (then (memory.fill (local.get $d) (i32.const 0) (i32.shl (local.get $qLo) (i32.const 2)))))
                (if (i32.lt_s (local.get $qHi) (local.get $ow))
                  (then (memory.fill (i32.add (local.get $d) (i32.shl (local.get $qHi) (i32.const 2))) (i32.const 0)
                    (i32.shl (i32.sub (local.get $ow) (local.get $qHi)) (i32.const 2)))))
                (local.set $rowSrc (i32.add (local.get $plane)
                  (i32.shl (i32.add (i32.mul (local.get $ih) (local.get $w)) (local.get $dw)) (i32.const 2))))
                (if (i32.eq (local.get $sw) (i32.const 1))
                  (then
                    (memory.copy (i32.add (local.get $d) (i32.shl (local.get $qLo) (i32.const 2)))
                      (i32.add (local.get $rowSrc) (i32.shl (local.get $qLo) (i32.const 2)))
                      (i32.shl (i32.sub (local.get $qHi) (local.get $qLo)) (i32.const 2))))
                  (else
                    (local.set $q (local.get $qLo))
                    (loop $cols
                      (f32.store (i32.add (local.get $d) (i32.shl (local.get $q) (i32.const 2)))
                        (f32.load (i32.add (local.get $rowSrc) (i32.shl (i32.mul (local.get $q) (local.get $sw)) (i32.const 2)))))
                      (local.set $q (i32.add (local.get $q) (i32.const 1)))
                      (br_if $cols (i32.lt_s (local.get $q) (local.get $qHi))))))))
            (local.set $d (i32.add (local.get $d) (local.get $owb)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rowsl)))
        (local.set $plane (i32.add (local.get $plane) (local.get $planeBytes)))
        (local.set $pl (i32.add (local.get $pl) (i32.const 1)))
        (br $planesl))))

  ;; ReLU gradient over n floats: dx = dy where x > 0, NaN where x is NaN (as tfjs's dy·step(x)),
  ;; else 0.
  (func (export "reluGrad") (param $dy i32) (param $x i32) (param $dx i32) (param $n i32)
    (local $o i32) (local $end i32) (local $xv v128) (local $xs f32)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone
      (loop $vec
        (br_if $vdone (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $xv (v128.load (i32.add (local.get $x) (local.get $o))))
        (v128.store (i32.add (local.get $dx) (local.get $o))
          (v128.bitselect (f32x4.splat (f32.const nan))
            (v128.and (v128.load (i32.add (local.get $dy) (local.get $o))) (f32x4.gt (local.get $xv) (f32x4.splat (f32.const 0))))
            (f32x4.ne (local.get $xv) (local.get $xv))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $vec)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $sdone
      (loop $tail
        (br_if $sdone (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $xs (f32.load (i32.add (local.get $x) (local.get $o))))
        (f32.store (i32.add (local.get $dx) (local.get $o))
          (if (result f32) (f32.ne (local.get $xs) (local.get $xs))
            (then (f32.const nan))
            (else (if (result f32) (f32.gt (local.get $xs) (f32.const 0))
              (then (f32.load (i32.add (local.get $dy) (local.get $o))))
              (else (f32.const 0))))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $tail))))

  ;; dst[j, i] = src[i, j] for a [rows, cols] float32 matrix (NHWC → channel-major is
  ;; [N·H·W, C] → [C, N·H·W]): 4×4 blocks through registers, scalar edges.
  (func (export "transpose2d") (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $i i32) (local $j i32) (local $rows4 i32) (local $cols4 i32) (local $rb i32) (local $cb i32) (local $p i32) (local $q i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rows4 (i32.and (local.get $rows) (i32.const -4)))
    (local.set $cols4 (i32.and (local.get $cols) (i32.const -4)))
    (local.set $rb (i32.shl (local.get $rows) (i32.const 2)))
    (local.set $cb (i32.shl (local.get $cols) (i32.const 2)))
    (block $idone
      (loop $iblocks
        (br_if $idone (i32.ge_u (local.get $i) (local.get $rows4)))
        (local.set $j (i32.const 0))
        (block $jdone
          (loop $jblocks
            (br_if $jdone (i32.ge_u (local.get $j) (local.get $cols4)))
            (local.set $p (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2))))
            (local.set $r0 (v128.load (local.get $p)))
            (local.set $r1 (v128.load (i32.add (local.get $p) (local.get $cb))))
            (local.set $r2 (v128.load (i32.add (local.get $p) (i32.shl (local.get $cb) (i32.const 1)))))
            (local.set $r3 (v128.load (i32.add (i32.add (local.get $p) (local.get $cb)) (i32.shl (local.get $cb) (i32.const 1)))))
            (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
            (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
            (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
            (local.set $q (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $rows)) (local.get $i)) (i32.const 2))))
            (v128.store (local.get $q) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
            (v128.store (i32.add (local.get $q) (local.get $rb)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
            (v128.store (i32.add (local.get $q) (i32.shl (local.get $rb) (i32.const 1))) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
            (v128.store (i32.add (i32.add (local.get $q) (local.get $rb)) (i32.shl (local.get $rb) (i32.const 1))) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $jblocks)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $iblocks)))
    ;; right edge: columns cols4.. of every row
    (local.set $i (i32.const 0))
    (block $edone
      (loop $erows
        (br_if $edone (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $j (local.get $cols4))
        (block $ecdone
          (loop $ecols
            (br_if $ecdone (i32.ge_u (local.get $j) (local.get $cols)))
            (f32.store (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $rows)) (local.get $i)) (i32.const 2)))
              (f32.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $ecols)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $erows)))
    ;; bottom edge: rows rows4.., columns below cols4
    (local.set $i (local.get $rows4))
    (block $bdone
      (loop $brows
        (br_if $bdone (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $j (i32.const 0))
        (block $bcdone
          (loop $bcols
            (br_if $bcdone (i32.ge_u (local.get $j) (local.get $cols4)))
            (f32.store (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $rows)) (local.get $i)) (i32.const 2)))
              (f32.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $bcols)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $brows))))
)
