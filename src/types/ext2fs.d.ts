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
    mtime: Date;
  }

  export interface Ext2FileHandle {
    read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
    write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
    close(): Promise<void>;
  }

  /**
   * Names come back as UTF-8 strings whatever encoding is asked for: the
   * module's option merging lets its 'utf8' default win.
   */
  export interface Ext2Promises {
    open(path: string, flags: number): Promise<Ext2FileHandle>;
    lstat(path: string): Promise<Ext2Stats>;
    readdir(path: string): Promise<string[]>;
    readlink(path: string): Promise<string>;
    /** Walks the block bitmap and discards every free range through the disk. */
    trim(): Promise<void>;
    unlink(path: string): Promise<void>;
    /** Creates `path` as a symbolic link holding `target`. */
    symlink(target: string, path: string): Promise<void>;
  }

  export interface Ext2Fs {
    promises: Ext2Promises;
  }

  export function mount(disk: Disk, offset?: number): Promise<Ext2Fs>;
  /** Closes open files and the filesystem: libext2fs writes its bitmaps, group descriptors and superblocks. */
  export function umount(fs: Ext2Fs): Promise<void>;
}
