// Typings for the npm package `ext2fs` (libext2fs compiled to WebAssembly),
// which ships none: only the members spotlint uses.
declare module 'ext2fs' {
  import type { Disk } from 'file-disk';

  export interface Ext2Stats {
    mode: number;
    nlink: number;
    uid: number;
    gid: number;
    ino: number;
    size: number;
    blocks: number;
    atime: Date;
    mtime: Date;
    ctime: Date;
    isDirectory(): boolean;
    isFile(): boolean;
    isSymbolicLink(): boolean;
  }

  export interface Ext2FileHandle {
    read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
    stat(): Promise<Ext2Stats>;
    close(): Promise<void>;
  }

  export interface Ext2Promises {
    open(path: string, flags: number | string, mode?: number): Promise<Ext2FileHandle>;
    lstat(path: string): Promise<Ext2Stats>;
    readdir(path: string, options: { encoding: 'buffer' }): Promise<Buffer[]>;
    readlink(path: string, options: { encoding: 'buffer' }): Promise<Buffer>;
    constants: Record<string, number>;
  }

  export interface Ext2Fs {
    promises: Ext2Promises;
  }

  export function mount(disk: Disk, offset?: number): Promise<Ext2Fs>;
  export function umount(fs: Ext2Fs): Promise<void>;
}
