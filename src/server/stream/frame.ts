/**
 * A WebSocket text frame built once and written as is to every client of an event.
 * Why by hand: `ws` frames each send separately (a header allocation, two writes and a cork per
 * client), and with 100 clients that per-send work was most of the server's time in bench:ws.
 * A server frame is simple (RFC 6455 §5.2: FIN + opcode, unmasked length, payload), so the same
 * bytes can go to every socket.
 */
const FIN_TEXT = 0x81;

export function textFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = FIN_TEXT;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, headerLength);
  return frame;
}
