/** The smallest valid department station config (what parseConfig takes); every other setting has a default. */
export function minimalConfig(): Record<string, any> {
  return {
    deviceId: 'hz-h001-icu-01',
    keyFile: 'keys/device.key',
    institution: 'hz-h001',
    department: 'ICU',
    station: { role: 'department' },
    serial: { scale: { path: '/dev/ttyS90', protocol: 'and' }, rfid: { path: '/dev/ttyS91' } },
    mqtt: { url: 'mqtt://127.0.0.1:1883' },
    dataDir: 'data',
  };
}
