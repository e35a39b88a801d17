/**
 * How far a stored body is the one sent (core/traffic/exchange.ts BodyCapture): `missing` when the
 * capture did not record a body the message had, `rebuilt` for a form reconstructed from its params.
 * Kept so the exchange view can say so and a sanitized export carries it on, instead of handing a
 * partner an empty or rebuilt body as if it were the bytes signed. NULL: the body as captured.
 */
export default /* sql */ `
ALTER TABLE exchange_messages ADD COLUMN request_body_capture TEXT;
ALTER TABLE exchange_messages ADD COLUMN response_body_capture TEXT;
`;
