package mux

import (
	"encoding/binary"
	"fmt"
)

// PSI (program-specific information) tables of MPEG-TS, just enough to
// merge two single-program streams: the PAT names the PMT's PID, the PMT
// lists the elementary streams. HLS segments carry each table in one
// packet; a table spread over several packets is refused.

const (
	pidPAT = 0x0000
	pidSDT = 0x0011
	pidMax = 0x1FFE
)

// esInfo is one elementary stream entry of a PMT, descriptors kept raw.
type esInfo struct {
	streamType byte
	pid        uint16
	desc       []byte
}

type pmtInfo struct {
	program     uint16
	pcrPID      uint16
	programDesc []byte
	streams     []esInfo
}

// tsPID reads the PID of a 188-byte packet.
func tsPID(pkt []byte) uint16 { return uint16(pkt[1]&0x1f)<<8 | uint16(pkt[2]) }

func tsPUSI(pkt []byte) bool { return pkt[1]&0x40 != 0 }

// tsPayload returns the packet's payload after any adaptation field.
func tsPayload(pkt []byte) []byte {
	afc := pkt[3] >> 4 & 3
	switch afc {
	case 1:
		return pkt[4:]
	case 3:
		n := 5 + int(pkt[4])
		if n <= tsPacket {
			return pkt[n:]
		}
	}
	return nil
}

// psiSection returns the section a PSI packet starts (pointer field
// skipped), checked for length.
func psiSection(pkt []byte, what string) ([]byte, error) {
	pl := tsPayload(pkt)
	if !tsPUSI(pkt) || len(pl) < 1 || int(pl[0])+1 > len(pl) {
		return nil, fmt.Errorf("%w: %s does not start in this packet", ErrUnsupported, what)
	}
	sec := pl[1+int(pl[0]):]
	if len(sec) < 3 {
		return nil, fmt.Errorf("%w: %s truncated", ErrCorrupt, what)
	}
	n := 3 + int(binary.BigEndian.Uint16(sec[1:3])&0x0fff)
	if n > len(sec) {
		return nil, fmt.Errorf("%w: %s spans several packets", ErrUnsupported, what)
	}
	if n < 12 {
		return nil, fmt.Errorf("%w: %s too short", ErrCorrupt, what)
	}
	return sec[:n], nil
}

// parsePAT returns the PMT PID of the first program.
func parsePAT(pkt []byte) (uint16, error) {
	sec, err := psiSection(pkt, "PAT")
	if err != nil {
		return 0, err
	}
	if sec[0] != 0x00 {
		return 0, fmt.Errorf("%w: PAT has table id %#x", ErrCorrupt, sec[0])
	}
	for e := sec[8 : len(sec)-4]; len(e) >= 4; e = e[4:] {
		if prog := binary.BigEndian.Uint16(e); prog != 0 {
			return binary.BigEndian.Uint16(e[2:]) & 0x1fff, nil
		}
	}
	return 0, fmt.Errorf("%w: PAT lists no program", ErrCorrupt)
}

func parsePMT(pkt []byte) (*pmtInfo, error) {
	sec, err := psiSection(pkt, "PMT")
	if err != nil {
		return nil, err
	}
	if sec[0] != 0x02 {
		return nil, fmt.Errorf("%w: PMT has table id %#x", ErrCorrupt, sec[0])
	}
	p := &pmtInfo{program: binary.BigEndian.Uint16(sec[3:]), pcrPID: binary.BigEndian.Uint16(sec[8:]) & 0x1fff}
	body := sec[:len(sec)-4] // without the CRC
	pil := int(binary.BigEndian.Uint16(sec[10:]) & 0x0fff)
	if 12+pil > len(body) {
		return nil, fmt.Errorf("%w: PMT program info overruns the section", ErrCorrupt)
	}
	p.programDesc = append([]byte(nil), body[12:12+pil]...)
	for e := body[12+pil:]; len(e) > 0; {
		if len(e) < 5 {
			return nil, fmt.Errorf("%w: PMT stream entry truncated", ErrCorrupt)
		}
		dl := int(binary.BigEndian.Uint16(e[3:]) & 0x0fff)
		if 5+dl > len(e) {
			return nil, fmt.Errorf("%w: PMT descriptors overrun the section", ErrCorrupt)
		}
		p.streams = append(p.streams, esInfo{streamType: e[0], pid: binary.BigEndian.Uint16(e[1:]) & 0x1fff, desc: append([]byte(nil), e[5:5+dl]...)})
		e = e[5+dl:]
	}
	return p, nil
}

// psiPacket wraps a section (without CRC) into one packet on pid.
func psiPacket(pid uint16, cc byte, section []byte) ([]byte, error) {
	crc := crc32MPEG(section)
	sec := binary.BigEndian.AppendUint32(section, crc)
	if 5+len(sec) > tsPacket {
		return nil, fmt.Errorf("%w: merged PMT does not fit one packet", ErrUnsupported)
	}
	pkt := make([]byte, tsPacket)
	pkt[0], pkt[1], pkt[2], pkt[3] = 0x47, 0x40|byte(pid>>8), byte(pid), 0x10|cc&0x0f
	pkt[4] = 0 // pointer field
	n := copy(pkt[5:], sec)
	for i := 5 + n; i < tsPacket; i++ {
		pkt[i] = 0xff
	}
	return pkt, nil
}

func buildPAT(program, pmtPID uint16) []byte {
	s := []byte{0x00, 0, 0, 0, 1, 0xc1, 0, 0}
	s = binary.BigEndian.AppendUint16(s, program)
	s = binary.BigEndian.AppendUint16(s, 0xe000|pmtPID)
	binary.BigEndian.PutUint16(s[1:], 0xb000|uint16(len(s)-3+4))
	return s
}

func buildPMT(p *pmtInfo) []byte {
	s := []byte{0x02, 0, 0}
	s = binary.BigEndian.AppendUint16(s, p.program)
	s = append(s, 0xc1, 0, 0)
	s = binary.BigEndian.AppendUint16(s, 0xe000|p.pcrPID)
	s = binary.BigEndian.AppendUint16(s, 0xf000|uint16(len(p.programDesc)))
	s = append(s, p.programDesc...)
	for _, es := range p.streams {
		s = append(s, es.streamType)
		s = binary.BigEndian.AppendUint16(s, 0xe000|es.pid)
		s = binary.BigEndian.AppendUint16(s, 0xf000|uint16(len(es.desc)))
		s = append(s, es.desc...)
	}
	binary.BigEndian.PutUint16(s[1:], 0xb000|uint16(len(s)-3+4))
	return s
}

// crc32MPEG is the CRC of PSI sections: polynomial 0x04C11DB7, not
// reflected, initial value all ones, no final XOR.
func crc32MPEG(b []byte) uint32 {
	crc := uint32(0xffffffff)
	for _, x := range b {
		crc ^= uint32(x) << 24
		for range 8 {
			if crc&0x80000000 != 0 {
				crc = crc<<1 ^ 0x04c11db7
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// pesTimestamp returns the DTS (else PTS) of a PES that starts in pkt,
// in 90 kHz ticks; ok is false when the packet starts none or has none.
func pesTimestamp(pkt []byte) (ts int64, ok bool) {
	pl := tsPayload(pkt)
	if !tsPUSI(pkt) || len(pl) < 14 || pl[0] != 0 || pl[1] != 0 || pl[2] != 1 {
		return 0, false
	}
	flags := pl[7] >> 6
	switch flags {
	case 2:
		return readPESTime(pl[9:14]), true
	case 3:
		if len(pl) < 19 {
			return 0, false
		}
		return readPESTime(pl[14:19]), true
	}
	return 0, false
}
