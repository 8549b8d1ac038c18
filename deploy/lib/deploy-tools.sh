# shellcheck shell=bash
# Provisions the Python checkers deploy/check-deploy runs, pinned, in a venv outside the tree:
#   check-jsonschema     validates deploy/compose/compose.yaml against the vendored compose-spec schema
#   kubernetes-validate  validates the rendered Helm chart against the Kubernetes schemas it bundles
# Both work offline once installed. Sourced by deploy/provision.

DEPLOY_TOOLS_REQUIREMENTS=(check-jsonschema==0.39.0 kubernetes-validate==1.37.0)
DEPLOY_TOOLS_VENV="$EMBASSY_CACHE/deploy-tools/venv"

provision_deploy_tools() {
  # The stamp is written last, so an interrupted install is redone from scratch next time.
  local stamp="$DEPLOY_TOOLS_VENV/.requirements"
  if [ "$(cat "$stamp" 2>/dev/null)" != "${DEPLOY_TOOLS_REQUIREMENTS[*]}" ]; then
    log "deploy-tools: installing ${DEPLOY_TOOLS_REQUIREMENTS[*]} into $DEPLOY_TOOLS_VENV"
    rm -rf "$DEPLOY_TOOLS_VENV"
    python3 -m venv "$DEPLOY_TOOLS_VENV" || die "deploy-tools: python3 -m venv failed"
    "$DEPLOY_TOOLS_VENV/bin/pip" install --quiet --disable-pip-version-check "${DEPLOY_TOOLS_REQUIREMENTS[@]}" \
      || die "deploy-tools: pip install ${DEPLOY_TOOLS_REQUIREMENTS[*]} failed"
    echo "${DEPLOY_TOOLS_REQUIREMENTS[*]}" >"$stamp"
  fi
  log "deploy-tools: ${DEPLOY_TOOLS_REQUIREMENTS[*]}"
}
