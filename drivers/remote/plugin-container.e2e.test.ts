import { writeFile } from 'node:fs/promises';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { writeImageArchive } from '../../lab/image-archive.ts';
import { StartedLab } from '../../lab/lab.ts';
import { mustRun } from '../../lab/linux/command.ts';
import { assembleRootfs } from '../../lab/rootfs.ts';
import { testTempDir } from '../../lab/testing/temp-dir.ts';
import { ensurePluginImage } from './plugin-container.ts';

// A containerised plugin's image reaches a lab engine without a registry: from a `docker save`
// archive (the form lab/image-archive.ts writes) or from a build context built on the engine.
const lab = StartedLab.attach(inject('lab'));
const host = lab.hosts[0]!;

async function busyboxRootfs(dir: string): Promise<void> {
  const busybox = (await mustRun(['sh', '-c', 'readlink -f "$(command -v busybox)"'])).output.trim();
  await assembleRootfs(dir, { binaries: { '/bin/busybox': busybox }, links: { '/bin/sh': 'busybox' } });
}

const run = async (image: string, argv: string[]) => {
  const c = await host.docker.createContainer({ Image: image, Cmd: argv, HostConfig: { NetworkMode: 'none' } });
  try {
    await c.start();
    await c.wait();
    return (await c.logs({ stdout: true, stderr: true })).toString();
  } finally {
    await c.remove({ force: true });
  }
};

describe('plugin images', () => {
  it('an archive is loaded into the engine under its tag, and runs', async () => {
    const dir = await testTempDir('cnm-image-', onTestFinished);
    await busyboxRootfs(`${dir}/rootfs`);
    const tag = `cnm-harness/test-archive:${Date.now()}`;
    await writeImageArchive(`${dir}/rootfs`, `${dir}/image.tar`, { tag, entrypoint: ['/bin/busybox', 'echo'] });
    try {
      await ensurePluginImage(host, { image: tag, archive: `${dir}/image.tar` });
      expect(await run(tag, ['loaded from an archive'])).toContain('loaded from an archive');
    } finally {
      await host.docker.getImage(tag).remove({ force: true });
    }
  });

  it('a build context is built on the engine (FROM scratch, no registry)', async () => {
    const dir = await testTempDir('cnm-build-', onTestFinished);
    await busyboxRootfs(`${dir}/rootfs`);
    await writeFile(`${dir}/Dockerfile`, 'FROM scratch\nCOPY rootfs/ /\nENTRYPOINT ["/bin/busybox", "echo"]\n');
    const tag = `cnm-harness/test-build:${Date.now()}`;
    try {
      await ensurePluginImage(host, { image: tag, build: dir });
      expect(await run(tag, ['built from a context'])).toContain('built from a context');
    } finally {
      await host.docker.getImage(tag).remove({ force: true });
    }
  });

  it('an archive that does not carry the named tag is a clear error', async () => {
    const dir = await testTempDir('cnm-image-', onTestFinished);
    await busyboxRootfs(`${dir}/rootfs`);
    const carried = `cnm-harness/test-carried:${Date.now()}`;
    await writeImageArchive(`${dir}/rootfs`, `${dir}/image.tar`, { tag: carried, entrypoint: ['/bin/busybox'] });
    try {
      await expect(
        ensurePluginImage(host, { image: 'cnm-harness/not-in-it:1', archive: `${dir}/image.tar` }),
      ).rejects.toThrow(
        /image cnm-harness\/not-in-it:1 is not on .* after loading .*image\.tar: check the tag the archive carries/,
      );
    } finally {
      await host.docker.getImage(carried).remove({ force: true });
    }
  });
});
