import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './passwords.ts';

describe('passwords', () => {
  it('when a password is hashed, then only that password verifies, and each hash is salted', async () => {
    const hash = await hashPassword('zhiyue-demo');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword('zhiyue-demo', hash)).toBe(true);
    expect(await verifyPassword('zhiyue-demo!', hash)).toBe(false);
    expect(await hashPassword('zhiyue-demo')).not.toBe(hash);
  });

  it('when the stored value is not an scrypt hash, then nothing verifies', async () => {
    expect(await verifyPassword('x', 'plaintext')).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$2b$10$abc')).toBe(false);
  });
});
