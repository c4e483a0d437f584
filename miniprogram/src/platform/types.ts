/**
 * Everything that only exists inside WeChat sits behind this port. The weapp build uses
 * WeChat's own APIs (index.weapp.ts); the H5 build plays the phone's part against the
 * local fake WeChat servers (index.ts). Taro picks the file by TARO_ENV, so the weapp
 * bundle never contains the fake code.
 */
export interface RequestPaymentParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA';
  paySign: string;
}

export type PaymentResult = { result: 'paid' } | { result: 'cancelled' } | { result: 'failed'; message: string };

export interface GeoPoint {
  lat: number;
  lng: number;
}

export interface Platform {
  readonly kind: 'weapp' | 'h5-fake';
  /** A one-time code for POST /v1/auth/wechat/login (wx.login). */
  login(): Promise<string>;
  /** Opens the payment sheet. The booking confirms when WeChat Pay tells the server, never on this result. */
  requestPayment(params: RequestPaymentParams, display: { amountFen: number }): Promise<PaymentResult>;
  /** Asks for one-time subscribe-message consent; answers the accepted template ids. Must run from a tap. */
  requestSubscribe(templateIds: readonly string[], labels: readonly string[]): Promise<string[]>;
  /** The phone's position, or null when refused or unavailable. */
  getLocation(): Promise<GeoPoint | null>;
  openLocation(place: GeoPoint & { name: string; address: string }): Promise<void>;
}
