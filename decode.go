package clerk

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
)

// errBodyTooLarge is returned when a success body exceeds maxSuccessBody.
var errBodyTooLarge = fmt.Errorf("the body exceeds the %d MiB limit", maxSuccessBody>>20)

// streamDecoder is implemented by values that decode themselves from a
// pageReader piece by piece, instead of buffering the whole JSON value.
type streamDecoder interface {
	decodeFrom(r *pageReader) error
}

// decodeBody decodes one JSON value from body as a stream, reading at most
// maxSuccessBody bytes.
func decodeBody(body io.Reader, v any) error {
	lr := &cappedReader{r: body, left: maxSuccessBody}
	var err error
	if sd, ok := v.(streamDecoder); ok {
		r := pageReaders.Get().(*pageReader)
		r.reset(lr)
		err = sd.decodeFrom(r)
		r.release()
	} else {
		err = json.NewDecoder(lr).Decode(v)
	}
	if err != nil {
		if lr.exceeded {
			return errBodyTooLarge
		}
		return err
	}
	return nil
}

// cappedReader reads from r until left bytes have been read, then reports
// errBodyTooLarge.
type cappedReader struct {
	r        io.Reader
	left     int64
	exceeded bool
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		c.exceeded = true
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

const (
	// readBufferSize is the size of a page reader's buffer. A membership is
	// decoded from the buffer once it is there whole, so the buffer grows
	// beyond this only for a single value larger than half of it.
	readBufferSize = 64 << 10
	// maxPooledBuffer is the largest buffer kept for reuse; a reader whose
	// buffer grew beyond it (for one huge membership) drops it.
	maxPooledBuffer = 1 << 20
)

// pageReaders holds the readers of page decoding, with their buffers.
var pageReaders = sync.Pool{New: func() any { return &pageReader{buf: make([]byte, readBufferSize)} }}

// pageReader reads a body through a buffer that holds at least one whole
// value (a membership) at a time, never the whole body.
type pageReader struct {
	r    io.Reader
	buf  []byte
	pos  int   // the next unread byte
	end  int   // the end of the bytes read
	err  error // what ended reading: io.EOF at the end of the body
	strs stringCache
}

func (r *pageReader) reset(rd io.Reader) {
	r.r, r.pos, r.end, r.err = rd, 0, 0, nil
}

// release returns r to the pool.
func (r *pageReader) release() {
	r.reset(nil)
	r.strs = stringCache{} // no strings of this body outlive it here
	if len(r.buf) > maxPooledBuffer {
		r.buf = make([]byte, readBufferSize)
	}
	pageReaders.Put(r)
}

// fill moves the unread bytes to the front of the buffer, growing it if
// they fill it, and reads more. It reports whether it read anything.
// Slices of the buffer taken before are invalid after it.
func (r *pageReader) fill() bool {
	if r.err != nil {
		return false
	}
	if r.pos > 0 {
		r.end = copy(r.buf, r.buf[r.pos:r.end])
		r.pos = 0
	}
	if r.end == len(r.buf) {
		buf := make([]byte, 2*len(r.buf))
		copy(buf, r.buf[:r.end])
		r.buf = buf
	}
	for range 100 {
		n, err := r.r.Read(r.buf[r.end:])
		r.end += n
		if err != nil {
			r.err = err
		}
		if n > 0 {
			return true
		}
		if err != nil {
			return false
		}
	}
	r.err = io.ErrNoProgress
	return false
}

// topUp fills the buffer when less than half of it is left unread, so that
// the next membership is likely to be there whole. Filling it up, not just
// to half, moves the unread bytes at most once per half buffer consumed.
func (r *pageReader) topUp() {
	if r.end-r.pos >= len(r.buf)/2 {
		return
	}
	for r.end-r.pos < len(r.buf) && r.fill() {
	}
}

// readErr is the error for a body that ended (or failed) inside a value.
func (r *pageReader) readErr() error {
	if r.err == io.EOF || r.err == nil {
		return io.ErrUnexpectedEOF
	}
	return r.err
}

// peek skips whitespace and returns the next byte without consuming it.
func (r *pageReader) peek() (byte, error) {
	for {
		for r.pos < r.end {
			c := r.buf[r.pos]
			if !isSpace(c) {
				return c, nil
			}
			r.pos++
		}
		if !r.fill() {
			return 0, r.readErr()
		}
	}
}

// consume skips whitespace and consumes the byte want, or fails with what of
// where it was expected.
func (r *pageReader) consume(want byte, what string) error {
	c, err := r.peek()
	if err != nil {
		return err
	}
	if c != want {
		return fmt.Errorf("invalid character %q %s", c, what)
	}
	r.pos++
	return nil
}

// value returns the bytes of the next value, whole: valid until the next
// read. It finds where the value ends without checking that it is valid
// JSON; callers decode the bytes with encoding/json, which checks.
func (r *pageReader) value() ([]byte, error) {
	if _, err := r.peek(); err != nil {
		return nil, err
	}
	var ext extent
	for n := 0; ; {
		if end, ok := ext.scan(r.buf[r.pos:r.end], n); ok {
			v := r.buf[r.pos : r.pos+end]
			r.pos += end
			return v, nil
		}
		n = r.end - r.pos
		if !r.fill() {
			return nil, r.readErr()
		}
	}
}

// extent finds where a JSON value ends, in pieces as they are read.
type extent struct {
	kind     byte // '{' for an object or array, '"' for a string, 'l' for anything else
	depth    int
	inString bool
	escaped  bool
}

// scan continues scanning the value that starts b from b[from:] and returns
// the offset just past its end, or false if b ends first.
func (e *extent) scan(b []byte, from int) (int, bool) {
	i := from
	if from == 0 && len(b) > 0 {
		switch b[0] {
		case '{', '[':
			e.kind, e.depth = '{', 1
		case '"':
			e.kind, e.inString = '"', true
		default:
			e.kind = 'l'
		}
		i = 1
	}
	if e.kind == 'l' {
		for ; i < len(b); i++ {
			switch b[i] {
			case ' ', '\t', '\r', '\n', ',', ':', '"', '[', ']', '{', '}':
				return i, true
			}
		}
		return 0, false
	}
	for ; i < len(b); i++ {
		c := b[i]
		if e.inString {
			switch {
			case e.escaped:
				e.escaped = false
			case c == '\\':
				e.escaped = true
			case c == '"':
				e.inString = false
				if e.kind == '"' {
					return i + 1, true
				}
			}
			continue
		}
		switch c {
		case '"':
			e.inString = true
		case '{', '[':
			e.depth++
		case '}', ']':
			e.depth--
			if e.depth == 0 {
				return i + 1, true
			}
		}
	}
	return 0, false
}

// key reads an object key and the colon after it.
func (r *pageReader) key() (string, error) {
	c, err := r.peek()
	if err != nil {
		return "", err
	}
	if c != '"' {
		return "", fmt.Errorf("invalid character %q looking for beginning of object key string", c)
	}
	for i := r.pos + 1; ; i++ {
		if i == r.end {
			n := i - r.pos
			if !r.fill() {
				return "", r.readErr()
			}
			i = r.pos + n
		}
		c := r.buf[i]
		if c == '"' {
			key := string(r.buf[r.pos+1 : i])
			r.pos = i + 1
			return key, r.consume(':', "after object key")
		}
		if c == '\\' || c < ' ' || c >= 0x80 {
			// Escapes, control characters or non-ASCII: let encoding/json
			// unquote or refuse the key.
			raw, err := r.value()
			if err != nil {
				return "", err
			}
			var key string
			if err := json.Unmarshal(raw, &key); err != nil {
				return "", err
			}
			return key, r.consume(':', "after object key")
		}
	}
}

// afterMember consumes the comma or closing delimiter after a member of an
// object or array, and reports whether another member follows.
func (r *pageReader) afterMember(closing byte, what string) (more bool, err error) {
	c, err := r.peek()
	if err != nil {
		return false, err
	}
	switch c {
	case ',':
		r.pos++
		return true, nil
	case closing:
		r.pos++
		return false, nil
	}
	return false, fmt.Errorf("invalid character %q after %s", c, what)
}

// decodeFrom decodes a list envelope one membership at a time, so that a page
// of 500 is never held as raw JSON while it is decoded: json.Decoder.Decode
// would buffer the whole envelope first. Unknown keys are skipped (after
// checking that their values are valid JSON); keys match exactly, and a
// repeated "data" appends. Whatever follows the envelope is not read.
func (p *OrganizationMemberships) decodeFrom(r *pageReader) error {
	c, err := r.peek()
	if err != nil {
		if r.err == io.EOF && r.end == 0 {
			return io.EOF // an empty body, as json.Decoder reports it
		}
		return err
	}
	if c != '{' {
		return fmt.Errorf("invalid character %q looking for the beginning of the list object", c)
	}
	r.pos++
	if c, err = r.peek(); err != nil {
		return err
	}
	if c == '}' {
		r.pos++
		return nil
	}
	for {
		key, err := r.key()
		if err != nil {
			return err
		}
		switch key {
		case "data":
			err = p.decodeData(r)
		case "total_count":
			err = decodeInt64(r, &p.TotalCount)
		default:
			err = skipValue(r)
		}
		if err != nil {
			return err
		}
		more, err := r.afterMember('}', "object key:value pair")
		if err != nil || !more {
			return err
		}
	}
}

func (p *OrganizationMemberships) decodeData(r *pageReader) error {
	c, err := r.peek()
	if err != nil {
		return err
	}
	switch c {
	case 'n': // a null data is an empty page
		raw, err := r.value()
		if err != nil {
			return err
		}
		if string(raw) != "null" {
			return fmt.Errorf("data: invalid literal %q", raw)
		}
		return nil
	case '[':
	default:
		return fmt.Errorf("data: expected an array, got %q", c)
	}
	r.pos++
	if c, err = r.peek(); err != nil {
		return err
	}
	if c == ']' {
		r.pos++
		return nil
	}
	for {
		m, err := readMembership(r)
		if err != nil {
			return err
		}
		p.Data = append(p.Data, m)
		more, err := r.afterMember(']', "array element")
		if err != nil || !more {
			return err
		}
	}
}

// readMembership decodes the next value as a membership: with the fast
// parser when the membership is in the shape Clerk sends, else with
// encoding/json (the two agree: see decode_test.go).
func readMembership(r *pageReader) (*OrganizationMembership, error) {
	r.topUp()
	c, err := r.peek()
	if err != nil {
		return nil, err
	}
	short := false
	if c == '{' {
		m := new(OrganizationMembership)
		p := parser{b: r.buf[r.pos:r.end], strs: &r.strs}
		if p.membership(m) {
			r.pos += p.i
			return m, nil
		}
		short = p.short
	}
	raw, err := r.value()
	if err != nil {
		return nil, err
	}
	if short {
		// The membership went on past what had been read; now it is all
		// there.
		m := new(OrganizationMembership)
		p := parser{b: raw, whole: true, strs: &r.strs}
		if p.membership(m) && p.i == len(raw) {
			return m, nil
		}
	}
	m := new(OrganizationMembership)
	if err := json.Unmarshal(raw, m); err != nil {
		return nil, err
	}
	return m, nil
}

// decodeInt64 decodes the next value into v as encoding/json does.
func decodeInt64(r *pageReader, v *int64) error {
	raw, err := r.value()
	if err != nil {
		return err
	}
	if n, ok := parseInt(raw); ok {
		*v = n
		return nil
	}
	return json.Unmarshal(raw, v)
}

// skipValue skips the next value, checking that it is valid JSON.
func skipValue(r *pageReader) error {
	raw, err := r.value()
	if err != nil {
		return err
	}
	if p := (parser{b: raw, whole: true}); p.skip(0) && p.i == len(raw) {
		return nil
	}
	var skip json.RawMessage
	return json.Unmarshal(raw, &skip)
}
