#!/usr/bin/env node
'use strict';
// The ingest pod's preStop hook on Kubernetes (deploy/k8s/base/ingest.yaml; docs/operations.md,
// "Scaling ingest up and down"). It turns the stop of a replica that goes for good into a
// retirement (SIGUSR2 to the ingest process: leave the share group, drain, end the broker sessions
// with expiry 0), so that its share of the group's messages goes back to the others, and leaves any
// other stop (a rollout, a node drain, a crash loop) as a plain stop that keeps the sessions.
//
// A replica goes for good when its StatefulSet no longer counts it: the controller lowers
// spec.replicas before it deletes the pods whose ordinal is at or above it. So: retire when
// ordinal >= spec.replicas > 0, read from the Kubernetes API with the pod's service account
// (RBAC: get on this one StatefulSet). Scaling to 0 is a pause, not a removal: the sessions stay, so
// the broker queues for them. A pod marked by hand (a file at SLUICE_RETIRE_MARK) retires whatever
// the API says. When the API cannot be read the pod only stops (one line on stderr, which the
// kubelet records in the pod's events): its sessions stay, as before this hook existed.
//
// Plain Node, no dependency and no build, so that it runs in a second within the grace period.
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const https = require('node:https');

const env = process.env;
const accountDir = env.SLUICE_K8S_ACCOUNT_DIR || '/var/run/secrets/kubernetes.io/serviceaccount';
const markFile = env.SLUICE_RETIRE_MARK || '/var/lib/sluice/retire';
const targetPid = Number(env.SLUICE_RETIRE_PID || 1);
const podName = env.HOSTNAME || '';
const timeoutMs = Number(env.SLUICE_PRESTOP_TIMEOUT_MS || 5000);

/** What to do, from the pod's ordinal and the StatefulSet's replicas (undefined: unknown). */
function decide({ marked, ordinal, replicas }) {
  if (marked) return { retire: true, reason: `marked by ${markFile}` };
  if (ordinal === undefined) return { retire: false, reason: `pod name ${podName} has no ordinal` };
  if (replicas === undefined) return { retire: false, reason: 'replicas unknown' };
  if (replicas === 0) return { retire: false, reason: 'scaled to 0: a pause, the sessions stay' };
  if (ordinal >= replicas) return { retire: true, reason: `ordinal ${ordinal} >= replicas ${replicas}` };
  return { retire: false, reason: `ordinal ${ordinal} < replicas ${replicas}: a restart` };
}

function statefulSetReplicas(name) {
  const namespace = readFileSync(join(accountDir, 'namespace'), 'utf8').trim();
  const token = readFileSync(join(accountDir, 'token'), 'utf8').trim();
  const ca = readFileSync(join(accountDir, 'ca.crt'));
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT || '443';
  if (!host) throw new Error('KUBERNETES_SERVICE_HOST is not set');
  const path = `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/statefulsets/${encodeURIComponent(name)}`;
  return new Promise((resolve, reject) => {
    const request = https.get(
      { host, port, path, ca, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => {
          if (response.statusCode !== 200)
            return reject(new Error(`GET ${path}: HTTP ${response.statusCode} ${body.slice(0, 200)}`));
          try {
            const replicas = JSON.parse(body)?.spec?.replicas;
            // the API fills in the default (1) when the manifest leaves it out
            resolve(typeof replicas === 'number' ? replicas : 1);
          } catch (error) {
            reject(new Error(`GET ${path}: not JSON (${error.message})`));
          }
        });
      },
    );
    request.setTimeout(timeoutMs, () =>
      request.destroy(new Error(`GET ${path}: no answer in ${timeoutMs} ms`)),
    );
    request.on('error', reject);
  });
}

async function main() {
  const match = /^(.*)-(\d+)$/.exec(podName);
  const ordinal = match ? Number(match[2]) : undefined;
  const marked = existsSync(markFile);
  let replicas;
  if (!marked && match) {
    try {
      replicas = await statefulSetReplicas(env.SLUICE_INGEST_STATEFULSET || match[1]);
    } catch (error) {
      process.stderr.write(
        `sluice preStop: could not read the StatefulSet, stopping without retiring: ${error.message}\n`,
      );
    }
  }
  const { retire, reason } = decide({ marked, ordinal, replicas });
  process.stdout.write(`sluice preStop: ${retire ? 'retiring' : 'stopping, sessions kept'} (${reason})\n`);
  if (retire) process.kill(targetPid, 'SIGUSR2');
}

if (require.main === module) void main();
module.exports = { decide };
