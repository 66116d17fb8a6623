#!/usr/bin/env bash
# The check step of action.yml: runs policy-check with the action's inputs (PC_* variables, so
# that no input is ever spliced into the script), annotates the lines (--format github), writes
# the Markdown summary to GITHUB_STEP_SUMMARY and SARIF for code scanning, and records the exit
# code as the step's output. The step itself succeeds, so that the SARIF upload runs; the
# action's last step exits with the verdict.
set -u

args=(check --format github)
while IFS= read -r path; do [[ -n "$path" ]] && args+=(--policy "$path"); done <<< "${PC_POLICIES:-}"
while IFS= read -r path; do [[ -n "$path" ]] && args+=(--snapshot "$path"); done <<< "${PC_SNAPSHOTS:-}"
[[ -n "${PC_WAIVERS:-}" ]] && args+=(--waivers "$PC_WAIVERS")
[[ -n "${PC_CONFIG:-}" ]] && args+=(--config "$PC_CONFIG")
[[ -n "${PC_FAIL_ON:-}" ]] && args+=(--fail-on "$PC_FAIL_ON")
[[ -n "${PC_AS_OF:-}" ]] && args+=(--as-of "$PC_AS_OF")
[[ -n "${PC_SARIF:-}" ]] && args+=(--output "sarif=$PC_SARIF")
summary="$(mktemp -d)/summary.md"
args+=(--output "markdown=$summary")

policy-check "${args[@]}"
code=$?

if [[ -s "$summary" && -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  cat "$summary" >> "$GITHUB_STEP_SUMMARY"
fi
{
  echo "exit-code=$code"
  if [[ -n "${PC_SARIF:-}" && -s "$PC_SARIF" ]]; then echo "sarif=$PC_SARIF"; else echo "sarif="; fi
} >> "${GITHUB_OUTPUT:-/dev/null}"
exit 0
