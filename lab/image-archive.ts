import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { mustRun } from './linux/command.ts';

export interface ImageConfig {
  /** The name:tag `docker load` gives the image. */
  tag: string;
  entrypoint: string[];
  env?: string[];
}

async function sha256Of(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Writes a `docker load` archive of one layer (a rootfs directory) — the format `docker save`
 * writes: the layer's tar, the image config naming the layer by its digest, and manifest.json.
 * What a user hands the harness for a containerised plugin, made here for the project's fixtures.
 */
export async function writeImageArchive(rootfs: string, out: string, config: ImageConfig): Promise<void> {
  const staging = `${out}.d`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  // numeric owners and a fixed order: the same rootfs gives the same layer digest
  await mustRun(['tar', '--sort=name', '--numeric-owner', '-C', rootfs, '-cf', `${staging}/layer.tar`, '.']);
  const diffId = `sha256:${await sha256Of(`${staging}/layer.tar`)}`;
  const imageConfig = JSON.stringify({
    architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    os: 'linux',
    config: {
      Entrypoint: config.entrypoint,
      Env: config.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created_by: 'cnm-harness (a rootfs from this machine)' }],
  });
  const configName = `${createHash('sha256').update(imageConfig).digest('hex')}.json`;
  await writeFile(`${staging}/${configName}`, imageConfig);
  await writeFile(
    `${staging}/manifest.json`,
    JSON.stringify([{ Config: configName, RepoTags: [config.tag], Layers: ['layer.tar'] }]),
  );
  await mustRun(['tar', '-C', staging, '-cf', `${out}.partial`, 'manifest.json', configName, 'layer.tar']);
  await rename(`${out}.partial`, out);
  await rm(staging, { recursive: true, force: true });
}
