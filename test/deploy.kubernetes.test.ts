import { readFileSync } from "node:fs";
import * as apps from "kubernetes-models/apps/v1";
import * as policy from "kubernetes-models/policy/v1";
import * as core from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadAccounts } from "../src/accounts/accounts-file.js";
import { loadConfig } from "../src/config/config.js";
import { SETTINGS } from "../src/config/settings.js";
import { writeTempFile } from "./support/temp-files.js";

const BASE = new URL("../deploy/kubernetes/base/", import.meta.url);
const kustomization = parseAllDocuments(readFileSync(new URL("kustomization.yaml", BASE), "utf8"))[0]!.toJS();
// biome-ignore lint/suspicious/noExplicitAny: manifests, read as they are written
type Manifest = Record<string, any>;
const manifests: Manifest[] = (kustomization.resources as string[]).flatMap((file) =>
  parseAllDocuments(readFileSync(new URL(file, BASE), "utf8")).map((doc) => doc.toJS()),
);
const one = (kind: string, name?: string) => {
  const found = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  expect(found, `one ${kind} ${name ?? ""}`).toHaveLength(1);
  return found[0]!;
};

/** The kubernetes-models classes of the API groups the base uses, by apiVersion: each validates against the Kubernetes schema. */
const MODELS: Record<string, Record<string, new (manifest: Manifest) => { validate(): void }>> = {
  v1: core as never,
  "apps/v1": apps as never,
  "policy/v1": policy as never,
};

async function modelOf(manifest: Manifest): Promise<{ validate(): void }> {
  const Model = MODELS[manifest.apiVersion]?.[manifest.kind];
  if (!Model) throw new Error(`no kubernetes-models class for ${manifest.apiVersion} ${manifest.kind}`);
  return new Model(manifest);
}

const deployment = one("Deployment");
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const settings: Record<string, string> = one("ConfigMap", "digicert-v1-shim-settings").data;
const secret: Record<string, string> = one("Secret").stringData;

describe("deploy/kubernetes/base (kustomize)", () => {
  it("is valid against the Kubernetes schemas (kubernetes-models), which do find what is wrong", async () => {
    expect(manifests.map((m) => m.kind).sort()).toEqual([
      "ConfigMap",
      "ConfigMap",
      "Deployment",
      "PodDisruptionBudget",
      "Secret",
      "Service",
    ]);
    for (const manifest of manifests) await (await modelOf(manifest)).validate();
    const broken = structuredClone(deployment);
    broken.spec.template.spec.containers[0].ports[0].containerPort = "eighty";
    broken.spec.replicas = -1;
    await expect(modelOf(broken).then((model) => model.validate())).rejects.toThrow();
  });

  it("probes liveness on /healthz and readiness on /readyz, and gives the drain the time it takes", () => {
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "legacy" });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "legacy" });
    const preStopSeconds = container.lifecycle.preStop.sleep.seconds;
    expect(preStopSeconds).toBeGreaterThan(0);
    const config = loadConfig({ ...settings, ...secret });
    // The kubelet waits this long from the pod's deletion: the preStop, the grace, an order's deadline, the drain's own 5 s.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(
      preStopSeconds + (config.shutdownGraceMs + config.retry.deadlineMs) / 1000 + 5,
    );
  });

  it("serves the legacy port and the admin port through the Service, and keeps at most one pod away at a time", () => {
    const ports = Object.fromEntries(container.ports.map((p: Manifest) => [p.name, p.containerPort]));
    const config = loadConfig({ ...settings, ...secret });
    expect(ports).toEqual({ legacy: 8080, admin: config.admin.port });
    expect(
      one("Service")
        .spec.ports.map((p: Manifest) => p.targetPort)
        .sort(),
    ).toEqual(["admin", "legacy"]);
    const labels = deployment.spec.template.metadata.labels;
    expect(one("Service").spec.selector).toEqual(labels);
    expect(one("PodDisruptionBudget").spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: labels } });
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
  });

  it("keeps the admin token and the keys in the Secret, the accounts file in a ConfigMap, and every setting declared", () => {
    for (const name of Object.keys(settings)) expect(SETTINGS, name).toHaveProperty(name);
    for (const [name, setting] of Object.entries(SETTINGS)) if (setting.secret) expect(settings, name).not.toHaveProperty(name);
    expect(Object.keys(secret)).toContain("SHIM_ADMIN_TOKEN");
    expect(container.envFrom).toEqual([
      { configMapRef: { name: "digicert-v1-shim-settings" } },
      { secretRef: { name: "digicert-v1-shim" } },
    ]);
    // The accounts file is one the shim reads, each account's v2 key in the Secret, mounted where SHIM_ACCOUNTS_FILE says.
    const accountsFile = one("ConfigMap", "digicert-v1-shim-accounts").data["accounts.json"];
    const accounts = loadAccounts(writeTempFile("accounts.json", accountsFile), secret);
    expect(accounts.size).toBeGreaterThan(0);
    const mount = container.volumeMounts.find((m: Manifest) => m.name === "accounts");
    expect(settings.SHIM_ACCOUNTS_FILE).toBe(`${mount.mountPath}/accounts.json`);
    expect(pod.volumes.find((v: Manifest) => v.name === "accounts").configMap.name).toBe("digicert-v1-shim-accounts");
  });
});
