"""Reads a TensorBoard run directory written by @kiln/plugin-logger-tensorboard with TensorBoard's own
EventAccumulator and compares every logged value with expected.json, exactly.

Usage: python check_events.py <run_dir> <expected.json>
Prints one JSON line {"ok": bool, "checked": n, "errors": [...]} and exits 1 on any mismatch.

expected.json:
  {"wall_time": float,
   "scalars":    {tag: [[step, value | "NaN" | "Infinity" | "-Infinity"], ...]},
   "images":     {tag: [[step, width, height, channels, base64 HWC uint8 pixels], ...]},
   "histograms": {tag: [[step, [raw float32 values]], ...]},
   "texts":      {tag: [[step, text], ...]},
   "hparams":    {"hparams": {name: value}, "status": 1 | 2}}
Histograms are recomputed here from the raw values with TensorFlow's default buckets
(tensorflow/core/lib/histogram/histogram.cc), independently of the TypeScript encoder.
"""
import base64
import io
import json
import math
import struct
import sys
import zlib

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2

errors = []
checked = 0


def check(cond, msg):
    global checked
    checked += 1
    if not cond:
        errors.append(msg)


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def num(x):
    return float(x)


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


def tf_default_limits():
    pos, v = [], 1.0e-12
    while v < 1.0e20:
        pos.append(v)
        v *= 1.1
    pos.append(sys.float_info.max)
    return [-x for x in reversed(pos)] + [0.0] + pos


def tf_histogram(values):
    import bisect
    limits = tf_default_limits()
    counts = [0.0] * len(limits)
    vals = [v for v in values if math.isfinite(v)]
    for v in vals:
        counts[min(bisect.bisect_right(limits, v), len(limits) - 1)] += 1
    out_limits, out_counts, i = [], [], 0
    while i < len(counts):
        end, c = limits[i], counts[i]
        i += 1
        if c <= 0:
            while i < len(counts) and counts[i] <= 0:
                end, c = limits[i], counts[i]
                i += 1
        out_limits.append(end)
        out_counts.append(c)
    if not vals:
        return dict(min=0.0, max=0.0, num=0.0, sum=0.0, sum_squares=0.0, bucket_limit=[sys.float_info.max], bucket=[0.0])
    total, squares = 0.0, 0.0
    for v in vals:  # plain left-to-right float64 sums (Python >= 3.12's sum() compensates)
        total += v
        squares += v * v
    return dict(min=min(vals), max=max(vals), num=float(len(vals)), sum=total,
                sum_squares=squares, bucket_limit=out_limits, bucket=out_counts)


def decode_png(data):
    try:
        from PIL import Image
        img = Image.open(io.BytesIO(data))
        img.load()
        return img.width, img.height, len(img.getbands()), img.tobytes()
    except ImportError:  # fall back to a filter-0 decoder
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        pos, idat, ihdr = 8, b"", None
        while pos < len(data):
            (length,) = struct.unpack(">I", data[pos:pos + 4])
            kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
            if kind == b"IHDR":
                ihdr = struct.unpack(">IIBBBBB", body)
            elif kind == b"IDAT":
                idat += body
            pos += 12 + length
        w, h, _, ctype = ihdr[:4]
        ch = {0: 1, 2: 3, 6: 4}[ctype]
        raw, stride = zlib.decompress(idat), w * ch
        rows = [raw[y * (stride + 1):(y + 1) * (stride + 1)] for y in range(h)]
        assert all(r[0] == 0 for r in rows)
        return w, h, ch, b"".join(r[1:] for r in rows)


def check_migrated(run_dir, exp):
    """The newer loader (plugin_event_accumulator + dataclass_compat, as the TensorBoard server uses)
    migrates our legacy values to plugin tensors: every tag lands in its plugin with the same values."""
    from tensorboard.backend.event_processing import plugin_event_accumulator as pea
    from tensorboard.util import tensor_util

    acc = pea.EventAccumulator(run_dir, size_guidance={"tensors": 0})
    acc.Reload()
    for plugin, key in (("scalars", "scalars"), ("images", "images"), ("histograms", "histograms"), ("text", "texts")):
        tags = set(acc.PluginTagToContent(plugin))
        check(tags == set(exp[key]), "migrated %s tags %r" % (plugin, sorted(tags)))
    for tag, rows in exp["scalars"].items():
        got = [(e.step, tensor_util.make_ndarray(e.tensor_proto).item()) for e in acc.Tensors(tag)]
        check(len(got) == len(rows) and all(s == r[0] and same(v, f32(num(r[1]))) for (s, v), r in zip(got, rows)),
              "migrated scalars %s differ" % tag)
    check({"_hparams_/session_start_info", "_hparams_/session_end_info"} <= set(acc.PluginTagToContent("hparams")),
          "hparams tags missing after migration")


def main(run_dir, expected_path):
    with open(expected_path) as f:
        exp = json.load(f)
    ea = EventAccumulator(run_dir, size_guidance={"scalars": 0, "images": 0, "histograms": 0, "tensors": 0})
    ea.Reload()
    tags = ea.Tags()
    check(ea.file_version == 2.0, "file_version %r != 2" % ea.file_version)
    wall = exp.get("wall_time")

    check(sorted(tags["scalars"]) == sorted(exp["scalars"]), "scalar tags %r" % tags["scalars"])
    for tag, rows in exp["scalars"].items():
        got = [(e.step, e.value, e.wall_time) for e in ea.Scalars(tag)] if tag in tags["scalars"] else []
        check(len(got) == len(rows), "%s: %d events, expected %d" % (tag, len(got), len(rows)))
        for (step, value, wt), (estep, evalue) in zip(got, rows):
            check(step == estep and same(value, f32(num(evalue))), "%s step %d: %r != %r@%d" % (tag, step, value, evalue, estep))
            check(wall is None or wt == wall, "%s wall_time %r" % (tag, wt))

    check(sorted(tags["images"]) == sorted(exp["images"]), "image tags %r" % tags["images"])
    for tag, rows in exp["images"].items():
        got = ea.Images(tag) if tag in tags["images"] else []
        check(len(got) == len(rows), "%s: %d images" % (tag, len(got)))
        for e, (estep, w, h, ch, pixels) in zip(got, rows):
            check(e.step == estep and e.width == w and e.height == h, "%s step %d: %dx%d" % (tag, e.step, e.width, e.height))
            dw, dh, dch, data = decode_png(e.encoded_image_string)
            check((dw, dh, dch) == (w, h, ch), "%s png header %r" % (tag, (dw, dh, dch)))
            check(data == base64.b64decode(pixels), "%s step %d: pixels differ" % (tag, estep))

    check(sorted(tags["histograms"]) == sorted(exp["histograms"]), "histogram tags %r" % tags["histograms"])
    for tag, rows in exp["histograms"].items():
        got = ea.Histograms(tag) if tag in tags["histograms"] else []
        check(len(got) == len(rows), "%s: %d histograms" % (tag, len(got)))
        for e, (estep, values) in zip(got, rows):
            h, ref = e.histogram_value, tf_histogram([num(v) for v in values])
            check(e.step == estep, "%s step %d" % (tag, e.step))
            for field in ("min", "max", "num", "sum", "sum_squares"):  # same left-to-right float64 sums: exact
                check(getattr(h, field) == ref[field], "%s %s: %r != %r" % (tag, field, getattr(h, field), ref[field]))
            check(list(h.bucket_limit) == ref["bucket_limit"], "%s bucket_limit differs" % tag)
            check(list(h.bucket) == ref["bucket"], "%s bucket %r != %r" % (tag, list(h.bucket), ref["bucket"]))

    for tag, rows in exp["texts"].items():
        got = ea.Tensors(tag) if tag in tags["tensors"] else []
        check(ea.SummaryMetadata(tag).plugin_data.plugin_name == "text" if got else False, "%s not a text summary" % tag)
        check([(e.step, e.tensor_proto.string_val[0].decode()) for e in got] == [tuple(r) for r in rows], "%s texts differ" % tag)

    if "hparams" in exp:
        content = ea.PluginTagToContent("hparams")
        check("_hparams_/session_start_info" in content, "no session_start_info")
        check("_hparams_/session_end_info" in content, "no session_end_info")
        start = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_start_info"]).session_start_info
        got = {}
        for k, v in start.hparams.items():
            kind = v.WhichOneof("kind")
            got[k] = {"number_value": v.number_value, "string_value": v.string_value, "bool_value": v.bool_value}[kind]
        check(got == exp["hparams"]["hparams"], "hparams %r != %r" % (got, exp["hparams"]["hparams"]))
        end = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_end_info"]).session_end_info
        check(end.status == exp["hparams"]["status"], "session status %r" % end.status)

    check_migrated(run_dir, exp)
    print(json.dumps({"ok": not errors, "checked": checked, "errors": errors[:20]}))
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
