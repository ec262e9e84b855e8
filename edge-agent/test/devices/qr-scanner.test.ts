import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { createCapturingLogger } from '@wastetrail/runtime';
import { QrScanner } from '../../src/devices/qr-scanner.ts';
import type { PortLike } from '../../src/devices/serial-link.ts';
import { waitFor } from '../support/wait.ts';

afterEach(() => SerialPortMock.binding.reset());

describe('QR scanner (USB-CDC serial)', () => {
  it('hands over each code ended by CR, however the bytes are split', async () => {
    const path = '/dev/mock-qr';
    SerialPortMock.binding.createPort(path, { echo: false, record: false });
    const scans: string[] = [];
    let port: SerialPortMock | undefined;
    const scanner = new QrScanner({
      config: { path, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
      logger: createCapturingLogger(),
      onScan: (p) => scans.push(p),
      createPort: (s) => (port = new SerialPortMock(s)) as unknown as PortLike,
    });
    scanner.start();
    await waitFor(() => scanner.connected, 'port open');
    const binding = port!.port!;
    binding.emitData(Buffer.from('WT1.H330106.ONC.I2'));
    binding.emitData(Buffer.from('50314.42R\r\r\nSECOND\r'));
    await waitFor(() => scans.length === 2, 'two scans');
    expect(scans).toEqual(['WT1.H330106.ONC.I250314.42R', 'SECOND']);
    await scanner.close();
  });
});
