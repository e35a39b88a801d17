// Kept free of Node types: the renderer imports these names through the contract.
export type KeyType = 'rsa' | 'ec' | 'ed25519' | 'x25519' | 'hmac';
export type Curve = 'P-256' | 'P-384' | 'P-521';
export type KeyUse = 'sig' | 'enc';
