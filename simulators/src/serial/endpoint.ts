/**
 * The one seam between a simulated device and whatever carries its bytes: a real pseudo-terminal pair
 * (pty.ts) for system tests and the CLI, or a @serialport/binding-mock port (mock.ts) for unit tests.
 * Simulators are written against this interface only, so the same device model runs on both.
 */
export interface SerialEndpoint {
  /** Bytes from the simulated device to the host program; resolves once handed to the transport. */
  write(data: Uint8Array): Promise<void>;
  /** Bytes the host program sent to the device, in arrival order (chunks split anywhere). */
  onData(listener: (chunk: Buffer) => void): void;
  /** Releases the transport; safe to call twice. */
  close(): Promise<void>;
}
