/**
 * One entry point for the edge agent: readings from whichever protocol a scale speaks.
 */
import { AndParser } from './and.ts';
import { mtSicsReading, MtSicsReplyParser } from './mt-sics.ts';
import type { ParserCounters, ScaleProtocol, ScaleReading, ScaleStreamParser, StreamParserOptions } from './reading.ts';
import { Xk3190Parser } from './xk3190.ts';

/**
 * A parser that yields the readings of any protocol. For MT-SICS, replies that carry no weight (Z A,
 * I4 A, ES ...) are left out: use MtSicsReplyParser where the command replies matter.
 */
export function createReadingParser(protocol: ScaleProtocol, options: StreamParserOptions = {}): ScaleStreamParser<ScaleReading> {
  switch (protocol) {
    case 'xk3190':
      return new Xk3190Parser(options);
    case 'and':
      return new AndParser(options);
    case 'mt-sics': {
      const replies = new MtSicsReplyParser(options);
      return {
        push: (chunk) => replies.push(chunk).flatMap((r) => mtSicsReading(r) ?? []),
        get counters(): ParserCounters {
          return replies.counters;
        },
        get pending() {
          return replies.pending;
        },
        reset: () => replies.reset(),
      };
    }
  }
}
