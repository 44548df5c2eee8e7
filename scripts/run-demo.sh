#!/usr/bin/env bash
# Runs the demo: the NHS login stand-in (idp/) in the background on 127.0.0.1:9000, then the
# command given (the portal, in the foreground). Stopping the portal (Ctrl+C) stops the
# stand-in too. With NHS_LOGIN_ISSUER set to a real issuer, the stand-in is not started.
#   scripts/run-demo.sh .venv/bin/flask --app wsgi run --host 127.0.0.1 --port 5000
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p instance
export HELP_PHONE="${HELP_PHONE:-01632 960000}"
export HELP_POSTAL_ADDRESS="${HELP_POSTAL_ADDRESS:-Patient Advice and Liaison Service, Demo NHS Trust, 1 Example Street, Leeds LS1 4AP}"

issuer="${NHS_LOGIN_ISSUER:-http://127.0.0.1:9000}"
if [ "$issuer" != "http://127.0.0.1:9000" ]; then
  echo "NHS_LOGIN_ISSUER is $issuer: not starting the local stand-in."
  exec "$@"
fi

# The portal's client key pair (kept if it exists) and a clients file naming its public key.
node idp/generate-client-keys.mjs instance/nhs-login-client-private.pem instance/nhs-login-client.jwks.json
cat > instance/idp-clients.json <<'JSON'
[
  {
    "client_id": "ai-choices-portal",
    "client_name": "The AI choices portal",
    "redirect_uris": ["http://127.0.0.1:5000/sign-in/callback"],
    "post_logout_redirect_uris": ["http://127.0.0.1:5000/signed-out"],
    "jwks_file": "nhs-login-client.jwks.json"
  }
]
JSON

IDP_HOST=127.0.0.1 IDP_PORT=9000 IDP_CLIENTS_FILE=instance/idp-clients.json \
  IDP_USERS_FILE=idp/demo-users.json IDP_KEYS_FILE=instance/idp-signing-keys.json IDP_TEST_MODE=0 \
  node idp/server.mjs > instance/idp.log 2>&1 &
idp_pid=$!
stop_idp() {
  kill "$idp_pid" 2>/dev/null || true
  wait "$idp_pid" 2>/dev/null || true
}
trap stop_idp EXIT

for _ in $(seq 1 100); do
  if grep -q "idp listening on" instance/idp.log; then break; fi
  if ! kill -0 "$idp_pid" 2>/dev/null; then
    echo "The NHS login stand-in did not start:" >&2
    cat instance/idp.log >&2
    exit 1
  fi
  sleep 0.1
done
echo "The NHS login stand-in is at http://127.0.0.1:9000 (log: instance/idp.log)."
"$@"
