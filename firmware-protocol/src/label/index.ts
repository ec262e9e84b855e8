// Our QR bag-label payload and its check character.
export * from './check-character.ts';
export * from './bag-label.ts';
