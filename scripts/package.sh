#!/usr/bin/env bash
# npm run package: both bundles and the CloudFormation template, built offline, then checked.
#   npm run package -- --param="licenseArns=…" --param="roleArns=…"   (arguments go to osls package)
#   1. osls package (serverless-esbuild bundles; nothing is external, so nothing is installed);
#      scripts/deploy-settings.mjs stops it first when licenseArns or roleArns is unset or malformed
#   2. cfn-lint over the template (skipped, loudly, when absent; required when REQUIRE_CFN_LINT=1)
#   3. the template suite (test/template), which reads what step 1 wrote to .serverless/ and
#      expects the example settings .ci/run passes (test/template/template.ts, EXAMPLE_SETTINGS)
#   4. the host agent: dist/license-token-agent.mjs, one file for a plain Node.js 20, checked to
#      import nothing but node: modules (scripts/build-agent.mjs)
set -euo pipefail
cd "$(dirname "$0")/.."

# Packaging needs no account (osls asks for no credentials to package). Dummy keys come first in
# the SDK's credential chain, so even a mistake here could never use a real profile's keys.
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL
export AWS_ACCESS_KEY_ID=package-offline AWS_SECRET_ACCESS_KEY=package-offline

rm -rf .serverless
osls package --stage dev --region us-east-1 "$@"

template=.serverless/cloudformation-template-update-stack.json
if command -v cfn-lint >/dev/null 2>&1; then
  echo "cfn-lint $(cfn-lint --version | awk '{print $2}'): $template"
  cfn-lint "$template" .serverless/cloudformation-template-create-stack.json
elif [ "${REQUIRE_CFN_LINT:-}" = 1 ]; then
  echo "cfn-lint is required (REQUIRE_CFN_LINT=1) but not installed: pip install cfn-lint" >&2
  exit 1
else
  echo "::warning::cfn-lint is not installed: the template was NOT linted (pip install cfn-lint)" >&2
fi

vitest run --config vitest.template.config.ts

node scripts/build-agent.mjs

for zip in .serverless/*.zip; do
  echo "$(basename "$zip"): $(wc -c <"$zip" | tr -d ' ') bytes"
done
