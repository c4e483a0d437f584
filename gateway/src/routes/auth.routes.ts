import { Router } from 'express';
import { AppError } from '../../../core/src/errors.ts';
import { decryptPhone, encryptPhone, maskPhone, normalizePhone, phoneBlindIndex } from '../../../core/src/pii/phone.ts';
import { findCustomer, setCustomerPhone, upsertCustomerByOpenid } from '../../../db/src/repositories/customer.repository.ts';
import { actorOf, requireCustomer } from '../auth/middleware.ts';
import { findActiveStaffByUsername } from '../../../db/src/repositories/staff.repository.ts';
import { verifyPassword } from '../../../core/src/auth/passwords.ts';
import type { GatewayDeps } from '../deps.ts';
import { describeRoute } from '../http/openapi.ts';
import { MeSchema, PhoneBindBody, PhoneBoundSchema, StaffLoginBody, TokenSchema, WechatLoginBody } from '../http/schemas.ts';
import { parse } from '../http/validate.ts';

describeRoute({
  method: 'post',
  path: '/v1/auth/wechat/login',
  summary: 'Consumer login with a wx.login() code',
  description: 'Exchanges the code with WeChat code2Session (server side; session_key never leaves the server) for a short-lived token.',
  request: { body: { content: { 'application/json': { schema: WechatLoginBody } } } },
  ok: { status: 200, schema: TokenSchema, description: 'Consumer token; subjectId is the customer id' },
  errors: [400, 401, 403, 429, 503],
});
describeRoute({
  method: 'post',
  path: '/v1/merchant/auth/login',
  summary: 'Merchant staff login',
  request: { body: { content: { 'application/json': { schema: StaffLoginBody } } } },
  ok: { status: 200, schema: TokenSchema, description: 'Staff token carrying merchant, store scope and role; subjectId is the staff id' },
  errors: [400, 401],
});

describeRoute({
  method: 'post',
  path: '/v1/me/phone',
  summary: 'Bind the customer’s phone number from the getPhoneNumber button',
  description: 'The number is fetched from WeChat server side, stored AES-256-GCM encrypted with an HMAC blind index, and only ever returned masked.',
  auth: true,
  request: { body: { content: { 'application/json': { schema: PhoneBindBody } } } },
  ok: { status: 200, schema: PhoneBoundSchema, description: 'The bound number, masked' },
  errors: [400, 401, 503],
});

describeRoute({
  method: 'get',
  path: '/v1/me',
  summary: 'The logged-in customer: id and bound phone number (masked)',
  auth: true,
  ok: { status: 200, schema: MeSchema, description: 'The customer' },
  errors: [401, 404],
});

export function authRoutes(deps: GatewayDeps): Router {
  const router = Router();

  router.post('/v1/auth/wechat/login', async (req, res) => {
    const { code } = parse(WechatLoginBody, req.body, 'body');
    const session = await deps.wechat.code2Session(code);
    const customerId = await upsertCustomerByOpenid(deps.db, session.openid, session.unionid, deps.clock.now());
    const { token, expiresAt } = await deps.tokens.issue({ kind: 'customer', customerId });
    res.json({ token, expiresAt: new Date(expiresAt).toISOString(), subjectId: customerId });
  });

  router.post('/v1/merchant/auth/login', async (req, res) => {
    const { username, password } = parse(StaffLoginBody, req.body, 'body');
    const staff = await findActiveStaffByUsername(deps.db, username);
    // Same answer for an unknown user and a wrong password, so usernames cannot be probed.
    if (!staff || !(await verifyPassword(password, staff.password_hash))) throw new AppError('UNAUTHENTICATED', 'bad credentials');
    const { token, expiresAt } = await deps.tokens.issue({
      kind: 'staff',
      staffId: staff.id,
      merchantId: staff.merchant_id,
      storeId: staff.store_id,
      role: staff.role,
    });
    res.json({ token, expiresAt: new Date(expiresAt).toISOString(), subjectId: staff.id });
  });

  router.post('/v1/me/phone', requireCustomer(deps.tokens), async (req, res) => {
    const { code } = parse(PhoneBindBody, req.body, 'body');
    const actor = actorOf(res);
    if (actor.kind !== 'customer') throw new AppError('FORBIDDEN', 'customers only');
    const raw = await deps.wechat.getPhoneNumber(code);
    let phone: string;
    try {
      phone = normalizePhone(raw);
    } catch (error) {
      throw new AppError('VALIDATION_FAILED', 'not a mainland China mobile number', { issues: [{ path: 'body.code', message: '仅支持中国大陆手机号' }] }, { cause: error });
    }
    const encrypted = encryptPhone(phone, deps.phoneKeys);
    await setCustomerPhone(deps.db, actor.customerId, { keyId: encrypted.keyId, ciphertext: encrypted.ciphertext, index: phoneBlindIndex(phone, deps.phoneKeys) });
    res.json({ phoneMasked: maskPhone(phone) });
  });

  router.get('/v1/me', requireCustomer(deps.tokens), async (_req, res) => {
    const actor = actorOf(res);
    if (actor.kind !== 'customer') throw new AppError('FORBIDDEN', 'customers only');
    const customer = await findCustomer(deps.db, actor.customerId);
    if (!customer) throw new AppError('NOT_FOUND', `customer ${actor.customerId} not found`);
    const phone = customer.phone_enc && customer.phone_key_id !== null ? decryptPhone(customer.phone_enc, customer.phone_key_id, deps.phoneKeys) : null;
    res.json({ customerId: customer.id, phoneMasked: phone === null ? null : maskPhone(phone) });
  });

  return router;
}
