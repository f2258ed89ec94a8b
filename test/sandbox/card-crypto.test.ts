import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptCard, encryptCard, expiryDate, luhnCheckDigit, randomPan, unpadPkcs1Type2 } from '../../src/sandbox/card-crypto.ts';

const pair = () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
};

describe('card-crypto', () => {
  const key = pair();
  const secrets = { pan: '4111111111111111', cvv: '123', expiry_date: '12/21' };

  it('encrypts card data that the private key holder decrypts back', () => {
    expect(decryptCard(encryptCard(secrets, key.publicPem), key.privatePem)).toEqual(secrets);
  });

  it('uses a fresh 128-bit AES key and 16-byte IV every time, the AES key wrapped with RSA PKCS#1 v1.5', () => {
    const first = encryptCard(secrets, key.publicPem);
    const second = encryptCard(secrets, key.publicPem);
    expect(Buffer.from(first.iv, 'base64')).toHaveLength(16);
    expect(first.iv).not.toBe(second.iv);
    expect(first.pci_data).not.toBe(second.pci_data);
    const wrapped = Buffer.from(first.aes_key, 'base64');
    expect(wrapped).toHaveLength(256);
    // The raw RSA block is 00 02 <non-zero padding> 00 <16-byte key>: PKCS#1 v1.5, not OAEP.
    const block = privateDecrypt({ key: key.privatePem, padding: constants.RSA_NO_PADDING }, wrapped);
    expect([...block.subarray(0, 2)]).toEqual([0, 2]);
    expect(block.indexOf(0, 2)).toBe(256 - 16 - 1);
    expect(unpadPkcs1Type2(block)).toHaveLength(16);
  });

  it('refuses to decrypt with a key the data was not encrypted for', () => {
    const encrypted = encryptCard(secrets, key.publicPem);
    expect(() => decryptCard(encrypted, pair().privatePem)).toThrow();
  });

  it('makes 16-digit Visa-range numbers with a valid Luhn check digit', () => {
    expect(luhnCheckDigit([4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])).toBe(1);
    expect(luhnCheckDigit([7, 9, 9, 2, 7, 3, 9, 8, 7, 1])).toBe(3);
    for (let i = 0; i < 20; i += 1) {
      const digits = [...randomPan()].map(Number);
      expect(digits).toHaveLength(16);
      expect(digits[0]).toBe(4);
      expect(luhnCheckDigit(digits.slice(0, -1))).toBe(digits.at(-1));
    }
  });

  it('writes expiry dates as MM/YY in UTC', () => {
    expect(expiryDate(Date.parse('2027-03-31T23:59:59Z'))).toBe('03/27');
  });
});
