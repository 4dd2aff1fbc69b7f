// Where haikus come from. `/api/generate` only knows the interface; the local writer is
// deterministic and offline (dev, tests, CI). A model provider can implement `HaikuWriter`
// and be chosen in `haikuWriter()` by configuration, without touching the credits logic.
import { createHash } from 'node:crypto';

export interface HaikuWriter {
  write(topic: string): Promise<string>;
}

// Five-syllable and seven-syllable lines; `{t}` is the topic.
const FIVE_OPEN = [
  'Morning light on {t}',
  'Quiet {t} waits',
  'Under the old moon',
  'Soft rain finds {t}',
  'Cold wind, warm {t}',
];
const SEVEN = [
  'a single leaf drifts across the still pond',
  'the kettle hums a slow song',
  'footsteps fade along the shore',
  'shadows lean into the hill',
  'a sparrow counts the hours',
];
const FIVE_CLOSE = [
  'and then, only dusk',
  'the bell rings once more',
  'nothing left to say',
  'a door left open',
  'the world holds its breath',
];

class LocalHaikuWriter implements HaikuWriter {
  async write(topic: string): Promise<string> {
    const h = createHash('sha256').update(topic.toLowerCase()).digest();
    const pick = (list: string[], byte: number) => list[h[byte] % list.length];
    const first = pick(FIVE_OPEN, 0).replace('{t}', topic);
    return [first, pick(SEVEN, 1), pick(FIVE_CLOSE, 2)].join('\n');
  }
}

export function haikuWriter(): HaikuWriter {
  return new LocalHaikuWriter();
}
