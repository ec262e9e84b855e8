import { x } from '@wastetrail/firmware-protocol'; export const y: string = String(x);
