import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageFiles, imageSrcset, newImageName, smallImage } from '../../src/catalog/image-paths';
import { moveImage, type ImageMove } from '../../src/catalog/images';

const own = `/uploads/products/${'ab12'.repeat(8)}-1200.webp`;

describe('image paths', () => {
  it('names each new image at random, in two sizes, nothing taken from elsewhere', () => {
    const a = newImageName();
    expect(a.src).toMatch(/^\/uploads\/products\/[0-9a-f]{32}-1200\.webp$/);
    expect(a.files.small).toBe(path.basename(a.src).replace('-1200', '-400'));
    expect(newImageName().src).not.toBe(a.src);
  });

  it.each([
    [own, own.replace('-1200', '-400'), `${own.replace('-1200', '-400')} 400w, ${own} 1200w`],
    ['/uploads/products/latitude-7420-1.svg', '/uploads/products/latitude-7420-1.svg', null],
    ['https://cdn.example.com/a-1200.webp', 'https://cdn.example.com/a-1200.webp', null],
  ])('%s: small %s, srcset %s', (src, small, srcset) => {
    expect(smallImage(src)).toBe(small);
    expect(imageSrcset(src)).toBe(srcset);
  });

  it.each([
    '/uploads/products/latitude-7420-1.svg',
    '/uploads/products/../../../etc/passwd',
    `/uploads/products/${'ab12'.repeat(8)}-1200.webp/../../x`,
    `/uploads/products/${'AB12'.repeat(8)}-1200.webp`,
    `/other/${'ab12'.repeat(8)}-1200.webp`,
    `${own}\n`,
  ])('names no file to delete for %j', (src) => {
    expect(imageFiles('/srv/uploads', src)).toEqual([]);
  });

  it('names both sizes of an image uploaded here, inside the uploads directory', () => {
    expect(imageFiles('/srv/uploads', own)).toEqual([`/srv/uploads/products/${'ab12'.repeat(8)}-1200.webp`, `/srv/uploads/products/${'ab12'.repeat(8)}-400.webp`]);
  });
});

describe('moveImage', () => {
  const list = ['a', 'b', 'c', 'd'];
  it.each<[string, ImageMove, string[] | string]>([
    ['b', 'up', ['b', 'a', 'c', 'd']],
    ['b', 'down', ['a', 'c', 'b', 'd']],
    ['c', 'first', ['c', 'a', 'b', 'd']],
    ['d', 'down', 'already the last'],
    ['a', 'up', 'already the first'],
    ['a', 'first', 'already the first'],
    ['x', 'up', 'not on this product'],
  ])('%s %s → %j', (image, to, expected) => {
    if (typeof expected === 'string') expect(() => moveImage(list, image, to)).toThrow(expected);
    else expect(moveImage(list, image, to)).toEqual(expected);
    expect(list).toEqual(['a', 'b', 'c', 'd']);
  });
});
