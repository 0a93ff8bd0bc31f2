// Event and Summary protos (event.proto, summary.proto, histogram.proto, tensor.proto and the
// hparams plugin's protos), written with the minimal ProtoWriter. Field numbers are in the comments.
import type { Histogram } from './histogram.js';
import { ProtoWriter } from './protobuf.js';

const DT_FLOAT = 1;
const DT_STRING = 7;

type ValueBuilder = (v: ProtoWriter) => void;

/** Event{wall_time=1, step=2, file_version=3}. */
export function fileVersionEvent(wallTime: number): Uint8Array {
  return new ProtoWriter().double(1, wallTime).string(3, 'brain.Event:2').finish();
}

/** Event{wall_time, step, session_log=7{status=1 START}}: readers drop earlier data with step ≥ this step. */
export function sessionStartEvent(wallTime: number, step: number): Uint8Array {
  return new ProtoWriter().double(1, wallTime).varint(2, step).message(7, (s) => s.varint(1, 1)).finish();
}

/** Event{wall_time, step, summary=5{value=1 [Value{tag=1, …}]}}. */
export function summaryEvent(wallTime: number, step: number, values: { tag: string; build: ValueBuilder }[]): Uint8Array {
  return new ProtoWriter()
    .double(1, wallTime)
    .varint(2, step)
    .message(5, (summary) => {
      for (const { tag, build } of values) summary.message(1, (v) => build(v.string(1, tag)));
    })
    .finish();
}

/** Value.simple_value=2 (float). */
export const scalarValue = (x: number): ValueBuilder => (v) => void v.float(2, x);

/** Value.image=4 Image{height=1, width=2, colorspace=3, encoded_image_string=4}. */
export const imageValue = (height: number, width: number, channels: number, png: Uint8Array): ValueBuilder => (v) =>
  void v.message(4, (img) => img.varint(1, height).varint(2, width).varint(3, channels).bytes(4, png));

/** Value.histo=5 HistogramProto{min=1, max=2, num=3, sum=4, sum_squares=5, bucket_limit=6, bucket=7}. */
export const histogramValue = (h: Histogram): ValueBuilder => (v) =>
  void v.message(5, (p) => p.double(1, h.min).double(2, h.max).double(3, h.num).double(4, h.sum).double(5, h.sumSquares)
    .packedDoubles(6, h.bucketLimit).packedDoubles(7, h.bucket));

/** SummaryMetadata{plugin_data=1{plugin_name=1, content=2}, data_class=4}. */
function metadata(v: ProtoWriter, plugin: string, content: Uint8Array, dataClass: number): void {
  v.message(9, (m) => m.message(1, (pd) => pd.string(1, plugin).bytes(2, content)).varint(4, dataClass));
}

/** Text: Value.tensor=8 {dtype=1 DT_STRING, tensor_shape=2 (rank 0), string_val=8} + metadata plugin "text". */
export const textValue = (text: string): ValueBuilder => (v) => {
  v.message(8, (t) => t.varint(1, DT_STRING).message(2, () => {}).string(8, text));
  metadata(v, 'text', new Uint8Array(0), 2);
};

/** A google.protobuf.Value for an hparam: number_value=2, string_value=3, bool_value=4. */
export type HParamValue = number | string | boolean;

/** HParams: Value.tensor = null tensor (DT_FLOAT, shape [0]) + metadata plugin "hparams" with `content`. */
function hparamsValue(content: Uint8Array): ValueBuilder {
  return (v) => {
    v.message(8, (t) => t.varint(1, DT_FLOAT).message(2, (s) => s.message(2, (d) => d.varint(1, 0))));
    metadata(v, 'hparams', content, 2);
  };
}

/** HParamsPluginData{version=1 (0), session_start_info=3 SessionStartInfo{hparams=1 map, group_name=4, start_time_secs=5}}. */
export function sessionStartInfoValue(hparams: Readonly<Record<string, HParamValue>>, startTimeSecs: number, groupName = ''): ValueBuilder {
  const content = new ProtoWriter().varint(1, 0).message(3, (info) => {
    for (const [key, value] of Object.entries(hparams)) {
      info.message(1, (entry) => entry.string(1, key).message(2, (pv) => {
        if (typeof value === 'number') pv.double(2, value);
        else if (typeof value === 'boolean') pv.varint(4, value);
        else pv.string(3, value);
      }));
    }
    if (groupName) info.string(4, groupName);
    info.double(5, startTimeSecs);
  }).finish();
  return hparamsValue(content);
}

/** HParamsPluginData{version=1 (0), session_end_info=4 SessionEndInfo{status=1, end_time_secs=2}}; status 1 SUCCESS, 2 FAILURE. */
export function sessionEndInfoValue(status: 1 | 2 | 3, endTimeSecs: number): ValueBuilder {
  const content = new ProtoWriter().varint(1, 0).message(4, (info) => info.varint(1, status).double(2, endTimeSecs)).finish();
  return hparamsValue(content);
}
