package mux

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// tsCheck validates MPEG-TS as it is copied, so that a join never saves
// bytes that only look like TS: every packet starts with the sync byte,
// segments hold whole packets, and the stream as a whole has a PAT, a PMT
// listing at least one stream and a PES of one of those streams.
//
// A continuity counter that jumps within a segment (lost packets, or
// streams spliced together: `cat seg*.ts`, broadcast recordings,
// inserted ads) is not a refusal: players and ffmpeg go on, and so does
// vdl. The jump is recorded (jumps) and flagged on its packet (jumped),
// so that the remux drops the PES it broke and says so. Counters are
// compared within a segment only: HLS segments are often cut by separate
// encoder runs, and EXT-X-DISCONTINUITY restarts counters by design.
type tsCheck struct {
	seg     string
	packets int64
	cc      [0x2000]int8 // last counter per PID in this segment, -1 unseen
	pmtPID  int          // -1 until a PAT names it
	streams [0x2000]bool // elementary PIDs of the PMT
	nES     int
	sawPES  bool
	// dup is set when the last packet repeated the one before on its PID
	// (allowed once): a demuxer must skip its payload.
	dup bool
	// jumped is set when the last packet's counter jumped: the packets
	// before it on its PID may be missing.
	jumped bool
	jumps  ccJumps
	// last points at the last packet of each PID in this segment (pids
	// lists them), to tell a duplicate from a jump. It points into the
	// reader's buffer until hold copies the packets into held.
	last [0x2000]*[tsPacket]byte
	held [0x2000]*[tsPacket]byte
	pids []uint16
}

// keep remembers pkt as the last packet of pid: not a copy, so the
// caller must not change pkt until it has called hold.
func (c *tsCheck) keep(pid uint16, pkt []byte) {
	if c.last[pid] == nil {
		c.pids = append(c.pids, pid)
	}
	c.last[pid] = (*[tsPacket]byte)(pkt)
}

// hold copies the last packets out of the reader's buffer, which the
// reader is about to reuse: a copy per PID and buffer, not per packet.
func (c *tsCheck) hold() {
	for _, pid := range c.pids {
		h := c.held[pid]
		if h == nil {
			h = new([tsPacket]byte)
			c.held[pid] = h
		}
		if p := c.last[pid]; p != h {
			*h = *p
			c.last[pid] = h
		}
	}
}

// sameAsLast says pkt repeats the payload of pid's last packet (a
// duplicate may differ in its adaptation field: the PCR).
func (c *tsCheck) sameAsLast(pid uint16, pkt []byte) bool {
	last := c.last[pid]
	return last != nil && bytes.Equal(tsPayload(pkt), tsPayload(last[:]))
}

// ccJumps counts continuity-counter jumps and keeps the first few, for
// the warning.
type ccJumps struct {
	n     int
	first []ccJump
}

// ccJump is one jump: where (segment, packet number from 1) and how.
type ccJump struct {
	seg      string
	packet   int64
	pid      uint16
	from, to byte
}

const keptJumps = 3

func (j *ccJumps) add(c ccJump) {
	j.n++
	if len(j.first) < keptJumps {
		j.first = append(j.first, c)
	}
}

// String lists the jumps kept, with their byte offsets (packet n starts
// at byte 188*(n-1) of its segment).
func (j *ccJumps) String() string {
	var b strings.Builder
	for i, c := range j.first {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s packet %d (byte %d) PID %d %d->%d", c.seg, c.packet, (c.packet-1)*tsPacket, c.pid, c.from, c.to)
	}
	if j.n > len(j.first) {
		fmt.Fprintf(&b, "; %d more", j.n-len(j.first))
	}
	return b.String()
}

// warn logs the jumps, if any, as one line.
func (j *ccJumps) warn(log *slog.Logger, what string) {
	if j.n > 0 {
		log.Warn("the MPEG-TS continuity counter jumps (lost packets, or streams spliced together); "+what,
			"jumps", j.n, "at", j.String())
	}
}

func newTSCheck() *tsCheck {
	c := &tsCheck{pmtPID: -1}
	c.segment("")
	return c
}

// segment starts the checks of a new segment.
func (c *tsCheck) segment(name string) {
	c.seg, c.packets = name, 0
	for i := range c.cc {
		c.cc[i] = -1
	}
	for _, pid := range c.pids {
		c.last[pid] = nil
	}
	c.pids = c.pids[:0]
}

// packet checks one 188-byte packet.
func (c *tsCheck) packet(pkt []byte) error {
	c.packets++
	c.dup, c.jumped = false, false
	if pkt[0] != 0x47 {
		return c.fail("lost MPEG-TS sync")
	}
	if pkt[1]&0x80 != 0 {
		return c.fail("a packet is flagged as damaged (transport error)")
	}
	pid := tsPID(pkt)
	afc := pkt[3] >> 4 & 3
	if afc == 0 {
		return c.fail("a packet with a reserved adaptation field code")
	}
	if afc&2 != 0 && (int(pkt[4]) > tsPacket-5 || afc == 3 && int(pkt[4]) > tsPacket-6) {
		return c.fail("an adaptation field overruns its packet")
	}
	if pid == 0x1FFF {
		return nil // null packets carry nothing and no counter
	}
	cc := pkt[3] & 0x0f
	reset := afc&2 != 0 && pkt[4] > 0 && pkt[5]&0x80 != 0 // discontinuity_indicator
	if c.cc[pid] >= 0 && !reset {
		last := byte(c.cc[pid])
		want := last
		if afc&1 != 0 {
			want = (last + 1) & 0x0f // only packets with payload count
		}
		// One duplicate is allowed: the same counter and payload. The same
		// counter with other bytes is a jump (16 packets lost, or a splice).
		c.dup = afc&1 != 0 && cc == last && c.sameAsLast(pid, pkt)
		if cc != want && !c.dup {
			c.jumped = true
			c.jumps.add(ccJump{seg: c.seg, packet: c.packets, pid: pid, from: last, to: cc})
		}
	}
	c.cc[pid] = int8(cc)
	c.keep(pid, pkt)
	switch {
	case pid == pidPAT && tsPUSI(pkt) && c.pmtPID < 0:
		p, err := parsePAT(pkt)
		if err != nil {
			return c.fail(err.Error())
		}
		c.pmtPID = int(p)
	case c.pmtPID >= 0 && int(pid) == c.pmtPID && tsPUSI(pkt) && c.nES == 0:
		pmt, err := parsePMT(pkt)
		if err != nil {
			return c.fail(err.Error())
		}
		for _, es := range pmt.streams {
			c.streams[es.pid&0x1fff] = true
			c.nES++
		}
	case c.streams[pid] && tsPUSI(pkt):
		if pl := tsPayload(pkt); len(pl) >= 4 && pl[0] == 0 && pl[1] == 0 && pl[2] == 1 {
			c.sawPES = true
		}
	}
	return nil
}

// partial reports a segment that ends inside a packet.
func (c *tsCheck) partial(n int) error {
	return c.fail(fmt.Sprintf("ends with a partial packet (%d bytes)", n))
}

// finish checks the stream as a whole once every segment is in.
func (c *tsCheck) finish() error {
	switch {
	case c.pmtPID < 0:
		return fmt.Errorf("%w: no PAT in the MPEG-TS stream: not a video", ErrCorrupt)
	case c.nES == 0:
		return fmt.Errorf("%w: no PMT listing a stream in the MPEG-TS stream", ErrCorrupt)
	case !c.sawPES:
		return fmt.Errorf("%w: the MPEG-TS stream carries no audio or video", ErrCorrupt)
	}
	return nil
}

func (c *tsCheck) fail(what string) error {
	return fmt.Errorf("%w: %s: packet %d: %s", ErrCorrupt, c.seg, c.packets, what)
}

// copyCheckedTS copies one segment's packets from r to w through c.
func copyCheckedTS(w io.Writer, r io.Reader, c *tsCheck) error {
	buf := make([]byte, 348*tsPacket) // 64 KiB of whole packets
	for {
		c.hold() // buf is about to be reused
		n, err := io.ReadFull(r, buf)
		whole := n - n%tsPacket
		for off := 0; off < whole; off += tsPacket {
			if cerr := c.packet(buf[off : off+tsPacket]); cerr != nil {
				return cerr
			}
		}
		if whole > 0 {
			if _, werr := w.Write(buf[:whole]); werr != nil {
				return werr
			}
		}
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF && n == whole:
			return nil
		case err == io.ErrUnexpectedEOF:
			return c.partial(n - whole)
		case err != nil:
			return fmt.Errorf("%s: %w", c.seg, err)
		}
	}
}

// CheckMedia checks that one downloaded file is the media its container
// names, as a join would check its parts, without rewriting it: "ts" runs
// every packet through tsCheck; "mp4" must parse with tracks that all have
// samples inside the file. Other containers are not checked.
func CheckMedia(path, container string) error {
	switch container {
	case "ts":
		f, err := openInput(path)
		if err != nil {
			return err
		}
		defer f.Close()
		c := newTSCheck()
		c.segment(path)
		if err := copyCheckedTS(io.Discard, bufio.NewReaderSize(f, 64<<10), c); err != nil {
			return err
		}
		return c.finish()
	case "mp4":
		m, f, err := openMovie(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if len(m.tracks) == 0 {
			return fmt.Errorf("%w: %s has no audio or video track", ErrCorrupt, path)
		}
		for _, t := range m.tracks {
			if len(t.samples) == 0 {
				return fmt.Errorf("%w: %s: the %s track (ID %d) has no samples", ErrCorrupt, path, t.handler, t.id)
			}
		}
	}
	return nil
}
