package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/clerkkit/clerk-go/membersync"
)

// readDesired reads the desired list from the CSV file at path. resolve,
// when not nil, turns what the user_id column holds into a user ID (the
// embedded server maps seeded usernames); it returns its argument for
// anything it does not know.
func readDesired(path string, resolve func(string) string) ([]membersync.Member, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseDesired(f, path, resolve)
}

// utf8BOM is the byte-order mark Excel writes at the start of a file saved
// as "CSV UTF-8".
const utf8BOM = "\ufeff"

// parseDesired reads user_id,role[,public_metadata_json] rows, after a
// UTF-8 byte-order mark if there is one. Errors name the file and line,
// such as "members.csv:4: role is empty".
func parseDesired(r io.Reader, name string, resolve func(string) string) ([]membersync.Member, error) {
	br := bufio.NewReader(r)
	if start, err := br.Peek(len(utf8BOM)); err == nil && string(start) == utf8BOM {
		_, _ = br.Discard(len(utf8BOM))
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	var members []membersync.Member
	firstLine := map[string]int{} // user ID -> line
	for row := 0; ; row++ {
		rec, err := cr.Read()
		var parseErr *csv.ParseError
		switch {
		case errors.Is(err, io.EOF):
			return members, nil
		case errors.As(err, &parseErr) && errors.Is(parseErr.Err, csv.ErrBareQuote):
			return nil, fmt.Errorf("%s:%d: %w (quote a JSON field as CSV does: \"{\"\"team\"\":\"\"core\"\"}\")", name, parseErr.Line, parseErr.Err)
		case errors.As(err, &parseErr):
			return nil, fmt.Errorf("%s:%d: %w", name, parseErr.Line, parseErr.Err)
		case err != nil:
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if row == 0 && strings.EqualFold(strings.TrimSpace(rec[0]), "user_id") {
			continue // the header
		}
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: "+format, append([]any{name, line}, args...)...)
		}
		if len(rec) < 2 || len(rec) > 3 {
			return nil, fail("want user_id,role[,public_metadata_json], got %d fields", len(rec))
		}
		m := membersync.Member{UserID: strings.TrimSpace(rec[0]), Role: strings.TrimSpace(rec[1])}
		switch {
		case m.UserID == "":
			return nil, fail("user_id is empty")
		case m.Role == "":
			return nil, fail("role is empty")
		}
		if resolve != nil {
			m.UserID = resolve(m.UserID)
		}
		if first, dup := firstLine[m.UserID]; dup {
			return nil, fail("%s is listed again (first on line %d)", rec[0], first)
		}
		firstLine[m.UserID] = line
		if len(rec) == 3 && strings.TrimSpace(rec[2]) != "" {
			dec := json.NewDecoder(strings.NewReader(rec[2]))
			dec.UseNumber() // keep numbers exact
			if err := dec.Decode(&m.PublicMetadata); err != nil || m.PublicMetadata == nil || dec.More() {
				return nil, fail("public_metadata_json is not a JSON object: %s", describeJSONError(rec[2], err))
			}
		}
		members = append(members, m)
	}
}

func describeJSONError(text string, err error) string {
	switch {
	case err != nil:
		return err.Error()
	case bytes.Equal(bytes.TrimSpace([]byte(text)), []byte("null")):
		return "null"
	}
	return "data after the object"
}
