"""A real SMTP relay on loopback for the tests (aiosmtpd): every message it accepts is written,
decoded, as one JSON file in the given folder. With --user and --password it requires AUTH.

With --cert and --key it speaks TLS with that certificate: after STARTTLS, which it then requires
before any mail (--tls starttls), or from the first byte (--tls wrapped). Each message kept says
whether it came over TLS.

Usage: relay.py PORT FOLDER [--user U --password P] [--tls starttls|wrapped --cert C --key K].
Prints "ready" once it listens, then runs until killed."""

import argparse
import json
import os
import ssl
import threading
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Keep:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        self.count += 1
        kept = {
            "envelope_to": envelope.rcpt_tos,
            "from": str(message["From"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "message_id": str(message["Message-ID"]),
            "text": text.get_content() if text else None,
            "html": html.get_content() if html else None,
            "list_unsubscribe": str(message["List-Unsubscribe"]) if message["List-Unsubscribe"] else None,
            "list_unsubscribe_post": str(message["List-Unsubscribe-Post"]) if message["List-Unsubscribe-Post"] else None,
            "authenticated_as": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
            "over_tls": server.transport.get_extra_info("ssl_object") is not None,
        }
        path = os.path.join(self.folder, f"{self.count:04}.json")
        with open(path + ".part", "w", encoding="utf-8") as out:
            json.dump(kept, out)
        os.rename(path + ".part", path)
        return "250 OK"


def main():
    args = argparse.ArgumentParser()
    args.add_argument("port", type=int)
    args.add_argument("folder")
    args.add_argument("--user")
    args.add_argument("--password")
    args.add_argument("--tls", choices=["starttls", "wrapped"])
    args.add_argument("--cert")
    args.add_argument("--key")
    given = args.parse_args()

    def check(server, session, envelope, mechanism, auth_data):
        right = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == given.user
            and auth_data.password.decode() == given.password
        )
        return AuthResult(success=right, auth_data=auth_data if right else None)

    options = {}
    if given.user:
        options = dict(authenticator=check, auth_required=True, auth_require_tls=False)
    if given.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(given.cert, given.key)
        if given.tls == "starttls":
            options.update(tls_context=context, require_starttls=True)
        else:
            options.update(ssl_context=context)
    controller = Controller(Keep(given.folder), hostname="127.0.0.1", port=given.port, **options)
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
