"""
What the archive keeps of a narrator's one-time secrets: the SHA-256 of the
withdrawal token (shown to the narrator once) and of the share form's
submission id, never the secrets themselves.
"""

import hashlib


def hash_withdrawal_token(token):
    """What the archive keeps of a withdrawal token: a leaked database cannot withdraw."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_submission_id(submission_id):
    return hashlib.sha256(submission_id.encode()).hexdigest()
