// The one request-body reader of the local stand-ins. Each server answers a refusal in its own
// wire format (Instant's, Stripe's, Resend's, Vercel's) and parses the bytes itself.
import type { IncomingMessage } from 'node:http';

/** A body past the reader's cap; the caller answers 413 in its own error shape. */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`Request body is larger than ${maxBytes} bytes.`);
  }
}

/** A request cut off (the client went away, or the stream failed) before its body ended. */
export class BodyAbortedError extends Error {
  constructor(cause?: unknown) {
    super('The request closed before its body ended.', { cause });
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * The whole body, up to `maxBytes`. Past the cap it stops keeping bytes and rejects at once
 * with `BodyTooLargeError`; the rest is drained unread, so the caller's 413 still reaches the
 * client on this connection. Plain stream events, not `for await`: an async iterator per
 * request costs more than the usual small body.
 */
export function readCapped(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  // Ended already: someone else consumed it, and waiting for 'end' would wait forever.
  if (req.readableEnded) return Promise.reject(new Error('readCapped: the request body was already read'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = () => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      settle();
      chunks.length = 0;
      req.resume();
      reject(new BodyTooLargeError(maxBytes));
    };
    const onEnd = () => {
      settle();
      resolve(chunks.length === 0 ? EMPTY : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (err: unknown) => {
      settle();
      reject(new BodyAbortedError(err));
    };
    // 'close' before 'end' is a body cut short (Node reports an abort as 'error' only to a listener).
    const onClose = () => {
      settle();
      reject(new BodyAbortedError());
    };
    req.on('data', onData).once('end', onEnd).once('error', onError).once('close', onClose);
  });
}
