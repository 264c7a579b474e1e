package clerk

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sync"
)

// errBodyTooLarge is returned when a success body exceeds maxSuccessBody.
var errBodyTooLarge = fmt.Errorf("the body exceeds the %d MiB limit", maxSuccessBody>>20)

// streamDecoder is implemented by values that decode themselves from a
// json.Decoder piece by piece, instead of buffering the whole JSON value.
type streamDecoder interface {
	decodeFrom(dec *json.Decoder) error
}

// decodeBody decodes one JSON value from body as a stream, reading at most
// maxSuccessBody bytes.
func decodeBody(body io.Reader, v any) error {
	lr := &cappedReader{r: body, left: maxSuccessBody}
	var err error
	if sd, ok := v.(streamDecoder); ok {
		// Decoding value by value makes json.Decoder read in small pieces;
		// a large buffer in front keeps the number of body reads low.
		br := readBuffers.Get().(*bufio.Reader)
		br.Reset(lr)
		err = sd.decodeFrom(json.NewDecoder(br))
		br.Reset(nil)
		readBuffers.Put(br)
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

// readBuffers holds the read buffers of page decoding.
var readBuffers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 32<<10) }}

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

// decodeFrom decodes a list envelope one membership at a time, so that a page
// of 500 is never held as raw JSON while it is decoded: json.Decoder.Decode
// would buffer the whole envelope first. Unknown keys are skipped.
func (p *OrganizationMemberships) decodeFrom(dec *json.Decoder) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		switch key {
		case "data":
			if err := p.decodeData(dec); err != nil {
				return err
			}
		case "total_count":
			if err := dec.Decode(&p.TotalCount); err != nil {
				return err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
		}
	}
	return expectDelim(dec, '}')
}

func (p *OrganizationMemberships) decodeData(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil || tok == nil { // a null data is an empty page
		return err
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("data: expected an array, got %v", tok)
	}
	for dec.More() {
		m := new(OrganizationMembership)
		if err := dec.Decode(m); err != nil {
			return err
		}
		p.Data = append(p.Data, m)
	}
	return expectDelim(dec, ']')
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != want {
		return fmt.Errorf("expected %v, got %v", want, tok)
	}
	return nil
}
