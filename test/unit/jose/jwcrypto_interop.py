"""The independent side of the JOSE interop tests: python3-jwcrypto (Debian).

Reads a JSON list of jobs on stdin and prints a JSON list of results, one per job, so a whole test
file costs one interpreter start. Binary values travel as base64url. Keys are JWKs made by the test.

Jobs:
  {"op": "sign", "jwk", "alg", "kid", "payload", "detached": bool, "b64": bool} -> {"token"}
  {"op": "verify", "jwk", "token", "payload"?}                                   -> {"ok", "payload"?, "error"?}
  {"op": "encrypt", "jwk", "alg", "enc", "kid", "plaintext"}                     -> {"token"}
  {"op": "decrypt", "jwk", "token"}                                              -> {"ok", "plaintext"?, "error"?}
"""

import json
import sys

from jwcrypto import jwe, jwk, jws
from jwcrypto.common import base64url_decode, base64url_encode, json_encode


def sign(job):
    key = jwk.JWK(**job["jwk"])
    payload = base64url_decode(job["payload"])
    protected = {"alg": job["alg"], "kid": job["kid"]}
    if not job.get("b64", True):
        protected.update({"b64": False, "crit": ["b64"]})
    token = jws.JWS(payload)
    token.add_signature(key, None, json_encode(protected))
    if job.get("detached"):
        # Built from the signed object: jwcrypto 1.1 cannot serialize an unencoded payload itself.
        signed = token.objects
        return {"token": base64url_encode(signed["protected"]) + ".." + base64url_encode(signed["signature"])}
    return {"token": token.serialize(compact=True)}


def verify(job):
    key = jwk.JWK(**job["jwk"])
    token = jws.JWS()
    try:
        if "payload" in job:
            header_segment, _, signature = job["token"].split(".")
            header = json.loads(base64url_decode(header_segment))
            payload = base64url_decode(job["payload"])
            encoded = payload.decode("utf-8") if header.get("b64") is False else base64url_encode(payload)
            token.deserialize(json.dumps({"protected": header_segment, "payload": encoded, "signature": signature}))
        else:
            token.deserialize(job["token"])
        token.verify(key)
    except Exception as error:  # the test reads the verdict, not the exception type
        return {"ok": False, "error": type(error).__name__}
    payload = token.payload if isinstance(token.payload, bytes) else token.payload.encode("utf-8")
    return {"ok": True, "payload": base64url_encode(payload)}


def encrypt(job):
    key = jwk.JWK(**job["jwk"])
    header = {"alg": job["alg"], "enc": job["enc"], "kid": job["kid"]}
    token = jwe.JWE(base64url_decode(job["plaintext"]), json_encode(header))
    token.add_recipient(key)
    return {"token": token.serialize(compact=True)}


def decrypt(job):
    key = jwk.JWK(**job["jwk"])
    token = jwe.JWE()
    try:
        token.deserialize(job["token"], key=key)
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "plaintext": base64url_encode(token.payload)}


OPERATIONS = {"sign": sign, "verify": verify, "encrypt": encrypt, "decrypt": decrypt}

if __name__ == "__main__":
    jobs = json.load(sys.stdin)
    json.dump([OPERATIONS[job["op"]](job) for job in jobs], sys.stdout)
