/**
 * Drives a `TextViewMapper` over chunks and collects everything a test compares: the view,
 * the raw span of every view byte, and the body after masking every letter and digit.
 */
import { createViewMapper, type TextViewMapper } from '../../src/decode/index.js';

export interface MappedBody {
  view: Buffer;
  /** `[rawStart, rawEnd)` of each view byte. */
  spans: Array<[number, number]>;
  /** The raw body with the maskable view characters masked through `maskRaw`. */
  masked: Buffer;
  rawConsumed: number;
  mapper: TextViewMapper;
}

const ALNUM = /^[0-9A-Za-z]$/;

/** Maps `chunks`; masks the view characters `maskable` accepts (default: letters and digits). */
export function mapChunks(chunks: Buffer[], contentType?: string, maskable: RegExp = ALNUM): MappedBody {
  const mapper = createViewMapper({ contentType });
  const views: Buffer[] = [];
  for (const chunk of chunks) views.push(Buffer.from(mapper.push(chunk)));
  views.push(Buffer.from(mapper.flush()));
  const view = Buffer.concat(views);
  const raw = Buffer.concat(chunks);
  const masked = Buffer.from(raw);
  const spans: Array<[number, number]> = [];
  for (let v = 0; v < view.length; v++) {
    const start = mapper.rawStart(v);
    const end = mapper.rawEnd(v);
    spans.push([start, end]);
    if (maskable.test(String.fromCharCode(view[v]))) mapper.maskRaw(masked, start, end - start);
  }
  return { view, spans, masked, rawConsumed: mapper.rawConsumed, mapper };
}

/** The view as a string, one char per byte. */
export function viewText(body: MappedBody): string {
  return body.view.toString('latin1');
}
