#!/usr/bin/env python3
"""Check Board's trail proofs with nothing from Board: a signed checkpoint (C2SP tlog-checkpoint in a C2SP
signed note, Ed25519), an entry's inclusion proof (from `audit prove`), and a consistency proof between two
checkpoints (from GET /api/audit/proof/consistency). RFC 6962 / RFC 9162 hashing. Needs Python 3.9+ and the
`cryptography` package (pip install cryptography). Exit 0: every check holds; 1: one does not; 2: bad usage.

  verify-proof.py --key KEY --checkpoint FILE                       the checkpoint is signed by KEY
  verify-proof.py --key KEY --proof PROOF.json                      and the entry in PROOF is in it
  verify-proof.py --key KEY --checkpoint NEW --old OLD --consistency C.json   NEW extends OLD
KEY is the verifier key (GET /api/audit/key) or a file holding it.
"""
import argparse, base64, hashlib, json, os, struct, sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class Failed(Exception):
    pass


def read(path_or_text):
    if os.path.exists(path_or_text):
        with open(path_or_text, encoding="utf-8") as f:
            return f.read()
    return path_or_text


def verifier_key(text):
    name, key_hash, key = text.strip().split("+", 2)
    raw = base64.b64decode(key)
    if len(raw) != 33 or raw[0] != 1:
        raise Failed("not an Ed25519 note verifier key")
    if hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4] != bytes.fromhex(key_hash):
        raise Failed("the key hash does not match the key")
    return name, bytes.fromhex(key_hash), Ed25519PublicKey.from_public_bytes(raw[1:])


def open_note(note, key):
    """The note's text, if one of its signature lines is KEY's and verifies."""
    name, key_hash, public = key
    text, _, signatures = note.rpartition("\n\n")
    text += "\n"
    for line in signatures.rstrip("\n").split("\n"):
        if not line.startswith("\u2014 "):
            raise Failed("malformed note")
        who, sig = line[2:].split(" ")
        raw = base64.b64decode(sig)
        if who == name and raw[:4] == key_hash:
            try:
                public.verify(raw[4:], text.encode())
                return text
            except InvalidSignature:
                raise Failed("the checkpoint's signature does not verify")
    raise Failed(f"the checkpoint is not signed by {name}")


def checkpoint(note, key):
    origin, size, root = open_note(note, key).split("\n")[:3]
    return origin, int(size), base64.b64decode(root)


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while True:
                    fn, sn = fn >> 1, sn >> 1
                    if fn & 1 or fn == 0:
                        break
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, proof):
    """RFC 9162 section 2.1.4.2."""
    if first == second:
        return not proof and first_root == second_root
    if first == 0 or first > second or not proof:
        return first == 0 and not proof
    if first & (first - 1) == 0:
        proof = [first_root] + proof
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            if not fn & 1:
                while True:
                    fn, sn = fn >> 1, sn >> 1
                    if fn & 1 or fn == 0:
                        break
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root


def main():
    args = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    args.add_argument("--key", required=True)
    args.add_argument("--checkpoint")
    args.add_argument("--proof")
    args.add_argument("--old")
    args.add_argument("--consistency")
    a = args.parse_args()
    try:
        key = verifier_key(read(a.key))
        if a.proof:
            proof = json.loads(read(a.proof))
            origin, size, root = checkpoint(proof["checkpoint"], key)
            # The entry's hash is SHA-256 of its previous hash and its canonical JSON, as text.
            entry_hash = hashlib.sha256((proof["prevHash"] + proof["canonical"]).encode()).hexdigest()
            if entry_hash != proof["hash"] or json.loads(proof["canonical"])["seq"] != proof["seq"]:
                raise Failed(f"entry {proof['seq']} does not hash to {proof['hash']}")
            leaf = hashlib.sha256(b"\x00" + bytes.fromhex(entry_hash)).digest()
            path = [base64.b64decode(h) for h in proof["hashes"]]
            if size != proof["size"] or not verify_inclusion(proof["seq"] - 1, size, leaf, path, root):
                raise Failed(f"entry {proof['seq']} is not in the checkpoint of {origin} at size {size}")
            print(f"ok: entry {proof['seq']} is in the trail of {origin} at size {size}, signed by {key[0]}")
        if a.checkpoint:
            origin, size, root = checkpoint(read(a.checkpoint), key)
            print(f"ok: checkpoint of {origin} at size {size} is signed by {key[0]}")
            if a.old:
                _, old_size, old_root = checkpoint(read(a.old), key)
                c = json.loads(read(a.consistency))
                path = [base64.b64decode(h) for h in c["hashes"]]
                if (c["from"], c["to"]) != (old_size, size) or not verify_consistency(old_size, size, old_root, root, path):
                    raise Failed(f"the trail at size {size} does not extend the one at size {old_size}")
                print(f"ok: the trail at size {size} extends the one at size {old_size}")
    except Failed as e:
        print(f"FAILED: {e}")
        return 1
    except (ValueError, KeyError, IndexError) as e:
        print(f"FAILED: malformed input ({e})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
