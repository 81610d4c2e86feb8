//! Whether a file is still as it was read, told from its metadata when
//! that is conclusive, so a write need not read and hash its store again
//! just before the rename, and a read need not hash a store that a
//! reader before it hashed (it keeps a record of the stamp and the key).
//!
//! Why it can be conclusive: any write to a file sets its change time
//! (ctime, which no program can set back) to the kernel's clock. If that
//! clock has moved on past the file's ctime, by more than the file
//! system's time stamp resolution, before the file was read, then any
//! later write gives it a ctime the stamp does not have. Where that cannot
//! be shown (a file written a moment ago, coarse time stamps, a system
//! other than Linux), the stamp is not conclusive and the caller hashes.
//! A wall clock set back by hand or NTP between the read and a foreign
//! write could defeat it only if the write also landed on the same
//! nanosecond, size and mtime.

use std::fs::File;
use std::path::Path;

/// A file's identity, size and time stamps, taken before reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stamp {
    dev: u64,
    ino: u64,
    len: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
    /// Whether a later write is certain to change the stamp.
    conclusive: bool,
}

impl Stamp {
    /// The stamp of `file`: take it before reading the bytes it vouches
    /// for, so a write during the read changes it.
    #[cfg(target_os = "linux")]
    pub(crate) fn of(file: &File) -> Option<Stamp> {
        // The clock first: every write after this instant stamps the file
        // with at least this time.
        let now = coarse_now()?;
        let mut stamp = Stamp::from_metadata(&file.metadata().ok()?);
        stamp.conclusive = settled(stamp.ctime, now);
        Some(stamp)
    }

    /// What the metadata says, not (yet) known to be conclusive.
    #[cfg(target_os = "linux")]
    fn from_metadata(m: &std::fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        Stamp {
            dev: m.dev(),
            ino: m.ino(),
            len: m.len(),
            mtime: (m.mtime(), m.mtime_nsec()),
            ctime: (m.ctime(), m.ctime_nsec()),
            conclusive: false,
        }
    }

    #[cfg(not(target_os = "linux"))]
    pub(crate) fn of(_file: &File) -> Option<Stamp> {
        None
    }

    /// Whether the file at `path` is certainly the one stamped, unchanged.
    /// False means "cannot tell": compare the bytes.
    pub(crate) fn still(&self, path: &Path) -> bool {
        self.conclusive && Stamp::now(path).is_some_and(|now| now.same(self))
    }

    #[cfg(target_os = "linux")]
    fn now(path: &Path) -> Option<Stamp> {
        Some(Stamp::from_metadata(&std::fs::metadata(path).ok()?))
    }

    #[cfg(not(target_os = "linux"))]
    fn now(_path: &Path) -> Option<Stamp> {
        None
    }

    fn same(&self, other: &Stamp) -> bool {
        (self.dev, self.ino, self.len, self.mtime, self.ctime)
            == (other.dev, other.ino, other.len, other.mtime, other.ctime)
    }

    /// The file's length when stamped.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Whether a later write is certain to change the stamp.
    pub(crate) fn conclusive(&self) -> bool {
        self.conclusive
    }

    /// A record that the file with this (conclusive) stamp held the bytes
    /// with `key`: a later reader that finds the same stamp knows the key
    /// without hashing the file ([`Stamp::vouches`]).
    pub(crate) fn record(&self, key: u128) -> Vec<u8> {
        let mut out = Vec::with_capacity(RECORD_LEN);
        out.extend_from_slice(RECORD_MAGIC);
        for v in [self.dev, self.ino, self.len] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [self.mtime.0, self.mtime.1, self.ctime.0, self.ctime.1] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&key.to_le_bytes());
        let sum = super::hash::oneshot_64(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    /// The key a [`Stamp::record`] vouches for, if it was made for a file
    /// stamped exactly as this one is now.
    pub(crate) fn vouches(&self, record: &[u8]) -> Option<u128> {
        if record.len() != RECORD_LEN || !record.starts_with(RECORD_MAGIC) {
            return None;
        }
        let (body, sum) = record.split_at(RECORD_LEN - 8);
        if super::hash::oneshot_64(body).to_le_bytes() != sum {
            return None;
        }
        let mut at = RECORD_MAGIC.len();
        let mut next = |n: usize| {
            let b = body.get(at..at + n);
            at += n;
            b
        };
        let mut word = || Some(u64::from_le_bytes(next(8)?.try_into().ok()?));
        let (dev, ino, len) = (word()?, word()?, word()?);
        let mut int = || word().map(|w| w as i64);
        let (ms, mn, cs, cn) = (int()?, int()?, int()?, int()?);
        let key = u128::from_le_bytes(next(16)?.try_into().ok()?);
        let then = Stamp {
            dev,
            ino,
            len,
            mtime: (ms, mn),
            ctime: (cs, cn),
            conclusive: true,
        };
        then.same(self).then_some(key)
    }
}

const RECORD_MAGIC: &[u8; 8] = b"wmstamp1";
const RECORD_LEN: usize = 8 + 3 * 8 + 4 * 8 + 16 + 8;

/// Whether a ctime is far enough behind the clock reading `now` that a
/// write at or after `now` must stamp a different one. Time stamps that
/// are whole milliseconds may come from a file system that keeps whole
/// seconds or two (FAT): those must be two seconds old; finer ones one
/// millisecond, which is at least one tick of the kernel's coarse clock.
fn settled(ctime: (i64, i64), now: (i64, i64)) -> bool {
    let nanos = |(s, n): (i64, i64)| i128::from(s) * 1_000_000_000 + i128::from(n);
    let margin = if ctime.1 % 1_000_000 == 0 {
        2_000_000_000
    } else {
        1_000_000
    };
    nanos(now) - nanos(ctime) >= margin
}

/// The clock the kernel stamps files with (seconds, nanoseconds).
#[cfg(target_os = "linux")]
fn coarse_now() -> Option<(i64, i64)> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a pointer to a
    // live, properly aligned local; it reads nothing else.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_REALTIME_COARSE, &mut ts) };
    // time_t and c_long are 32 bits on some Linux targets.
    #[allow(clippy::useless_conversion)]
    (rc == 0).then_some((i64::from(ts.tv_sec), i64::from(ts.tv_nsec)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ctime_is_settled_only_past_the_resolution_it_may_have() {
        // Fine time stamps: one millisecond behind the clock is enough.
        assert!(settled((100, 123_456_789), (100, 124_456_789)));
        assert!(!settled((100, 123_456_789), (100, 124_456_788)));
        // Whole seconds (or whole milliseconds): two seconds.
        assert!(!settled((100, 0), (101, 999_999_999)));
        assert!(settled((100, 0), (102, 0)));
        assert!(!settled((100, 5_000_000), (100, 900_000_000)));
        // A ctime ahead of the clock (set by a finer clock) never is.
        assert!(!settled((100, 500_000_001), (100, 400_000_001)));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_write_after_the_stamp_is_seen_and_an_old_file_is_vouched_for() -> std::io::Result<()> {
        use std::io::Write;
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("tasks.yaml");
        std::fs::write(&path, "a")?;
        // Let the coarse clock move past the file's ctime.
        std::thread::sleep(std::time::Duration::from_millis(30));
        let stamp = Stamp::of(&File::open(&path)?).ok_or(std::io::ErrorKind::Other)?;
        assert!(stamp.conclusive, "{stamp:?}");
        assert!(stamp.still(&path));
        // The same size, written in place at once: a new ctime.
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)?
            .write_all(b"b")?;
        assert!(!stamp.still(&path));
        Ok(())
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_record_vouches_only_for_the_file_stamped_exactly_so() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("tasks.yaml");
        std::fs::write(&path, "a")?;
        std::thread::sleep(std::time::Duration::from_millis(30));
        let stamp = Stamp::of(&File::open(&path)?).ok_or(std::io::ErrorKind::Other)?;
        let record = stamp.record(42);
        let now = || -> std::io::Result<Stamp> {
            Stamp::of(&File::open(&path)?).ok_or_else(|| std::io::ErrorKind::Other.into())
        };
        assert_eq!(now()?.vouches(&record), Some(42));
        // A flipped bit, a short record: nothing.
        let mut bad = record.clone();
        bad[12] ^= 1;
        assert_eq!(now()?.vouches(&bad), None);
        assert_eq!(now()?.vouches(&record[..record.len() - 1]), None);
        // The same size, written in place: the record no longer applies.
        std::fs::write(&path, "b")?;
        assert_eq!(now()?.vouches(&record), None);
        Ok(())
    }
}
