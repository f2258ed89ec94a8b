/**
 * Card data encryption as the Merchant Card Service does it (Klarna's decryption guide): a fresh random
 * 128-bit AES key per card encrypts the card data with AES/CTR/NoPadding under a random 16-byte IV
 * (the initial counter block); the AES key itself is encrypted with the merchant's enrolled RSA public
 * key, RSA/ECB/PKCS1Padding. The three parts travel base64: `pci_data`, `iv`, `aes_key`.
 *
 * The plaintext format is not documented; the sandbox uses UTF-8 JSON `{"pan","cvv","expiry_date"}`
 * (CONTRACT-NOTES §2 ASSUMPTION). Nothing here logs or keeps card data.
 */
import { constants, createCipheriv, createDecipheriv, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto';

/** What a virtual card's `pci_data` holds in clear. */
export interface CardSecrets {
  pan: string;
  cvv: string;
  /** `MM/YY`. */
  expiry_date: string;
}

/** The encrypted fields of a settlement's `card`, all base64. */
export interface EncryptedCardData {
  pci_data: string;
  iv: string;
  aes_key: string;
}

const AES_KEY_BYTES = 16;
const IV_BYTES = 16;

/** Encrypts one card's secrets for an RSA public key (PEM, SPKI or PKCS#1). A fresh AES key and IV every call. */
export function encryptCard(secrets: CardSecrets, publicKeyPem: string): EncryptedCardData {
  const aesKey = randomBytes(AES_KEY_BYTES);
  const iv = randomBytes(IV_BYTES);
  const plaintext = Buffer.from(
    JSON.stringify({ pan: secrets.pan, cvv: secrets.cvv, expiry_date: secrets.expiry_date }),
    'utf8',
  );
  const cipher = createCipheriv('aes-128-ctr', aesKey, iv);
  const pciData = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const wrappedKey = publicEncrypt({ key: publicKeyPem, padding: constants.RSA_PKCS1_PADDING }, aesKey);
  return { pci_data: pciData.toString('base64'), iv: iv.toString('base64'), aes_key: wrappedKey.toString('base64') };
}

/**
 * Decrypts a card for the holder of the private key: the merchant's side, for the sandbox's tests and
 * demo only (the gateway passes card data through and never decrypts it).
 *
 * Node 20 refuses `RSA_PKCS1_PADDING` for private decryption (CVE-2023-46809, the Marvin timing attack)
 * unless started with `--security-revert`. So the AES key is unwrapped in two honest steps: the raw RSA
 * operation (`RSA_NO_PADDING`, still the private key's own exponentiation) yields the PKCS#1 v1.5
 * encryption block, and `unpadPkcs1Type2` checks that block's structure and takes the key out. The
 * attack needs a server answering many chosen ciphertexts; a test decrypting its own cards is not one.
 */
export function decryptCard(card: EncryptedCardData, privateKeyPem: string): CardSecrets {
  const block = privateDecrypt(
    { key: privateKeyPem, padding: constants.RSA_NO_PADDING },
    Buffer.from(card.aes_key, 'base64'),
  );
  const aesKey = unpadPkcs1Type2(block);
  if (aesKey.length !== AES_KEY_BYTES) throw new Error(`aes_key holds ${aesKey.length} bytes, not ${AES_KEY_BYTES}`);
  const iv = Buffer.from(card.iv, 'base64');
  if (iv.length !== IV_BYTES) throw new Error(`iv holds ${iv.length} bytes, not ${IV_BYTES}`);
  const decipher = createDecipheriv('aes-128-ctr', aesKey, iv);
  const plaintext = Buffer.concat([decipher.update(Buffer.from(card.pci_data, 'base64')), decipher.final()]);
  const parsed = JSON.parse(plaintext.toString('utf8')) as Partial<CardSecrets>;
  if (typeof parsed.pan !== 'string' || typeof parsed.cvv !== 'string' || typeof parsed.expiry_date !== 'string') {
    throw new Error('pci_data is not a card: pan, cvv and expiry_date are required');
  }
  return { pan: parsed.pan, cvv: parsed.cvv, expiry_date: parsed.expiry_date };
}

/**
 * The message inside an RSAES-PKCS1-v1_5 encryption block (RFC 8017 §7.2.2):
 * `0x00 0x02 PS 0x00 M`, where PS is at least 8 non-zero random bytes.
 */
export function unpadPkcs1Type2(block: Buffer): Buffer {
  if (block[0] !== 0x00 || block[1] !== 0x02) throw new Error('not a PKCS#1 v1.5 encryption block');
  const separator = block.indexOf(0x00, 2);
  if (separator < 0) throw new Error('PKCS#1 v1.5 block has no separator');
  if (separator - 2 < 8) throw new Error('PKCS#1 v1.5 padding is shorter than 8 bytes');
  return block.subarray(separator + 1);
}

/** A random 16-digit Visa-range card number with a valid Luhn check digit. */
export function randomPan(): string {
  const digits = [4, ...Array.from(randomBytes(14), (byte) => byte % 10)];
  return digits.join('') + luhnCheckDigit(digits);
}

/** A random three-digit CVV. */
export const randomCvv = (): string => String(randomBytes(2).readUInt16BE(0) % 1000).padStart(3, '0');

/** `MM/YY` of an instant (UTC). */
export function expiryDate(atMs: number): string {
  const at = new Date(atMs);
  return `${String(at.getUTCMonth() + 1).padStart(2, '0')}/${String(at.getUTCFullYear() % 100).padStart(2, '0')}`;
}

/** The Luhn check digit that makes `digits` + it a valid number. */
export function luhnCheckDigit(digits: readonly number[]): number {
  let sum = 0;
  // Walking from the right, every second digit (starting with the rightmost payload digit) is doubled.
  for (let index = digits.length - 1, double = true; index >= 0; index -= 1, double = !double) {
    let digit = digits[index] ?? 0;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}
