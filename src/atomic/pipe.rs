//! The writer thread behind [`super::Locked::write_streamed`].
//!
//! Encrypting or decrypting a large file costs about as much CPU as the kernel's copy of the
//! result into the page cache, and the final `fsync` waits for the disk. Run one after the other
//! they add up; here the caller's thread produces (reads and encrypts/decrypts) while a second
//! thread writes, and a third starts the file's writeback early so the final `fsync` finds little
//! left to do. Memory stays flat: a fixed pool of [`BUFFERS`] buffers goes round between the
//! threads, and each is zeroed when the pool is dropped (they may have held plaintext).

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread;

use zeroize::Zeroizing;

use crate::error::Op;
use crate::{Error, Result};

/// Bytes per buffer handed to the writer thread: four of age's 64 KiB chunks.
const BUFFER: usize = 256 * 1024;

/// Buffers in the pool: enough that neither thread waits on the other's jitter.
const BUFFERS: usize = 4;

/// Written bytes between two early writebacks.
const SYNC_EVERY: u64 = 32 * 1024 * 1024;

type Buffer = Zeroizing<Vec<u8>>;

/// The first buffer's size: a small output (a 2 KB `.env`) fits in it and is written on this
/// thread, with no thread started and no pool allocated (the pool is zeroed when dropped,
/// which costs page faults a small file should not pay).
const FIRST: usize = 64 * 1024;

/// The writer and writeback threads, once the output outgrew [`FIRST`].
struct Threads<'scope> {
    full: Option<SyncSender<Buffer>>,
    empty: Receiver<Buffer>,
    /// The writer's error, once it has stopped on one.
    failed: Receiver<io::Error>,
    writer: thread::ScopedJoinHandle<'scope, bool>,
    sync: Option<thread::ScopedJoinHandle<'scope, io::Result<()>>>,
}

/// The producer's end: buffers bytes; hands full buffers to the writer thread, started when the
/// first buffer fills.
struct Pipe<'scope, 'env> {
    scope: &'scope thread::Scope<'scope, 'env>,
    /// The file, until the threads take it.
    file: Option<&'env mut File>,
    current: Buffer,
    threads: Option<Threads<'scope>>,
}

fn stopped() -> io::Error {
    io::Error::other("the output's writer thread stopped")
}

impl<'scope, 'env> Pipe<'scope, 'env> {
    /// Starts the writer (and, when the descriptor can be cloned, the writeback) thread with the
    /// pool of buffers. A thread the system refuses to start is an error, never a panic.
    fn start(&mut self) -> io::Result<()> {
        let file = self.file.take().ok_or_else(stopped)?;
        let (full_tx, full_rx) = mpsc::sync_channel::<Buffer>(BUFFERS);
        let (empty_tx, empty_rx) = mpsc::channel::<Buffer>();
        let (failed_tx, failed_rx) = mpsc::channel::<io::Error>();
        for _ in 1..BUFFERS {
            empty_tx
                .send(Zeroizing::new(Vec::with_capacity(BUFFER)))
                .map_err(|_| stopped())?;
        }
        // A second descriptor for the early writeback; without one, only the final fsync syncs.
        let syncer = file.try_clone().ok();
        let (kick_tx, kick_rx) = mpsc::sync_channel::<()>(1);
        let sync = syncer.and_then(|syncer| {
            thread::Builder::new()
                .spawn_scoped(self.scope, move || -> io::Result<()> {
                    // An error must not be lost: after a failed fsync, Linux reports the error
                    // once per open file, and the final fsync shares this one's.
                    for () in kick_rx {
                        syncer.sync_data()?;
                    }
                    Ok(())
                })
                .ok()
        });
        let writer = thread::Builder::new().spawn_scoped(self.scope, move || -> bool {
            let mut since_sync = 0u64;
            for mut buffer in full_rx {
                if let Err(e) = file.write_all(&buffer) {
                    let _ = failed_tx.send(e);
                    return false;
                }
                since_sync += buffer.len() as u64;
                if since_sync >= SYNC_EVERY {
                    since_sync = 0;
                    // Skipped while the previous writeback still runs.
                    let _ = kick_tx.try_send(());
                }
                buffer.clear();
                // The producer may have finished and gone: then the buffer is just dropped.
                let _ = empty_tx.send(buffer);
            }
            true
        })?;
        self.threads = Some(Threads {
            full: Some(full_tx),
            empty: empty_rx,
            failed: failed_rx,
            writer,
            sync,
        });
        Ok(())
    }

    fn send(&mut self) -> io::Result<()> {
        if self.threads.is_none() {
            self.start()?;
        }
        let Some(t) = self.threads.as_mut() else {
            return Err(stopped());
        };
        let full = t.full.as_ref().ok_or_else(stopped)?;
        let sent = match t.empty.recv() {
            Ok(next) => {
                let done = std::mem::replace(&mut self.current, next);
                full.send(done).is_ok()
            }
            Err(_) => false,
        };
        if sent {
            return Ok(());
        }
        // The writer's own error, so that the producer reports it under the name it knows.
        Err(t.failed.try_recv().unwrap_or_else(|_| stopped()))
    }

    /// Writes what is left (when `complete`: a failed producer's output is thrown away) and
    /// waits for the threads: `(written, synced)`.
    fn finish(mut self, complete: bool) -> (io::Result<()>, io::Result<()>) {
        if self.threads.is_none() {
            // Never outgrew the first buffer: written here, no thread was started.
            let written = match (complete, self.file.take()) {
                (false, _) => Ok(()),
                (true, Some(file)) => file.write_all(&self.current),
                (true, None) => Err(stopped()),
            };
            return (written, Ok(()));
        }
        let rest = if complete && !self.current.is_empty() {
            self.send()
        } else {
            Ok(())
        };
        let Some(mut t) = self.threads.take() else {
            return (Err(stopped()), Ok(()));
        };
        // Closing the channel ends the writer's loop.
        t.full = None;
        let written = t.writer.join().unwrap_or(false);
        let synced = match t.sync {
            Some(sync) => sync.join().unwrap_or_else(|_| Err(stopped())),
            None => Ok(()),
        };
        let written = match (written, rest) {
            (true, rest) => rest,
            (false, _) => Err(t.failed.try_recv().unwrap_or_else(|_| stopped())),
        };
        (written, synced)
    }
}

impl Write for Pipe<'_, '_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.current.len() == self.current.capacity() {
            self.send()?;
        }
        // Never beyond the capacity: a reallocation would leave an unzeroed copy behind.
        let n = data.len().min(self.current.capacity() - self.current.len());
        self.current.extend_from_slice(&data[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        // Only `finish` writes the last buffer: a flush mid-way would start the threads for a
        // small output.
        Ok(())
    }
}

/// Runs `produce` on this thread with a writer that ends in `file`: written on this thread when
/// the output fits the first buffer, else on a second thread, with a third starting the
/// writeback early. Waits for every byte to be written. A write error reaches `produce` as the
/// error of its writer; one met after `produce` has finished is returned naming `target`, as is
/// an error of the early writeback. Does not `fsync` at the end: the caller does.
pub(super) fn run(
    file: &mut File,
    target: &Path,
    produce: &mut dyn FnMut(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    thread::scope(|scope| {
        let mut pipe = Pipe {
            scope,
            file: Some(file),
            current: Zeroizing::new(Vec::with_capacity(FIRST)),
            threads: None,
        };
        let produced = produce(&mut pipe);
        let (written, synced) = pipe.finish(produced.is_ok());
        produced?;
        written.map_err(|e| Error::writing(target, Op::Write, e))?;
        synced.map_err(|e| Error::writing(target, Op::Sync, e))
    })
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Seek};

    use super::*;

    fn temp() -> File {
        tempfile::tempfile().unwrap()
    }

    /// Writes `data` through the pipe in pieces of `piece` bytes and reads the file back.
    fn round_trip(data: &[u8], piece: usize) -> Vec<u8> {
        let mut file = temp();
        run(&mut file, Path::new("t"), &mut |out| {
            for piece in data.chunks(piece) {
                out.write_all(piece).unwrap();
            }
            Ok(())
        })
        .unwrap();
        let mut back = Vec::new();
        file.rewind().unwrap();
        file.read_to_end(&mut back).unwrap();
        back
    }

    #[test]
    fn everything_arrives_in_order() {
        // Odd write sizes straddle buffer boundaries; the total is not a multiple of BUFFER.
        let data: Vec<u8> = (0..3 * BUFFER + 12345).map(|i| (i % 251) as u8).collect();
        assert_eq!(round_trip(&data, 65_537), data);
    }

    #[test]
    fn outputs_around_the_first_buffer_arrive_whole() {
        // Below, at and just past the size written without threads, and an empty one.
        for len in [0, 1, 2048, FIRST - 1, FIRST, FIRST + 1, FIRST + BUFFER + 7] {
            let data: Vec<u8> = (0..len).map(|i| (i % 253) as u8).collect();
            let back = round_trip(&data, 1000);
            assert_eq!(back.len(), len);
            assert_eq!(back, data, "length {len}");
        }
    }

    #[test]
    fn the_producers_error_is_returned() {
        let mut file = temp();
        let e = run(&mut file, Path::new("t"), &mut |out| {
            out.write_all(&[1; 1000]).unwrap();
            Err(Error::caller(
                std::io::Error::other("produce failed"),
                crate::Exit::Usage,
            ))
        })
        .unwrap_err();
        assert!(e.to_string().contains("produce failed"), "{e}");
    }

    #[test]
    fn a_write_error_after_the_producer_finished_names_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ro");
        std::fs::write(&path, b"").unwrap();
        let mut read_only = File::open(&path).unwrap();
        let e = run(&mut read_only, Path::new("target.env"), &mut |out| {
            out.write_all(b"x").unwrap();
            Ok(())
        })
        .unwrap_err();
        let shown = e.to_string();
        assert!(shown.contains("target.env"), "{shown}");
        assert_eq!(e.exit(), crate::Exit::Io, "{shown}");
    }

    /// A writer or writeback thread that panicked (no run makes one: they only write and
    /// sync) is reported as `run` reports a write error, naming the target.
    #[test]
    fn a_stopped_writer_thread_is_said_naming_the_target() {
        let e = Error::writing(Path::new("out.env"), Op::Write, stopped());
        assert_eq!(
            e.to_string(),
            "out.env: cannot write: the output's writer thread stopped"
        );
        assert_eq!(e.exit(), crate::Exit::Io);
    }

    #[test]
    fn the_producer_sees_the_writers_own_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ro");
        std::fs::write(&path, b"").unwrap();
        let mut read_only = File::open(&path).unwrap();
        let e = run(&mut read_only, Path::new("out.env"), &mut |out| {
            for _ in 0..2 * BUFFERS {
                out.write_all(&[0; BUFFER])
                    .map_err(|e| Error::writing(Path::new("out.env"), Op::Write, e))?;
            }
            Ok(())
        })
        .unwrap_err();
        let shown = e.to_string();
        assert!(
            shown.contains("out.env") && !shown.contains("stopped"),
            "{shown}"
        );
    }
}
