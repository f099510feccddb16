package probe

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// wireRecords are variedRecords with sequence numbers far apart.
func wireRecords() []Record {
	records := variedRecords()
	for i, seq := range []uint64{1, 5, 6, 1 << 40} {
		records[i].Seq = seq
	}
	return records
}

func TestResultsRoundTripInTheBinaryForm(t *testing.T) {
	for _, records := range [][]Record{wireRecords(), nil} {
		b := AppendResults([]byte("prefix"), "e-0123", records)
		if string(b[:6]) != "prefix" {
			t.Fatalf("AppendResults overwrote what it appends to: %q", b[:6])
		}
		epoch, got, err := DecodeResults(b[6:])
		if err != nil {
			t.Fatal(err)
		}
		if epoch != "e-0123" || len(got) != len(records) || (len(records) > 0 && !reflect.DeepEqual(got, records)) {
			t.Fatalf("decoded %q\n%+v\nwant\n%+v", epoch, got, records)
		}
	}
}

func TestAMalformedResultsBatchSaysWhere(t *testing.T) {
	b := AppendResults(nil, "e1", wireRecords())
	for n := range len(b) {
		if _, _, err := DecodeResults(b[:n]); !errors.Is(err, ErrResults) {
			t.Fatalf("batch cut at %d of %d bytes: %v, want ErrResults", n, len(b), err)
		}
	}
	twice := wireRecords()[:2]
	twice[1].Seq = twice[0].Seq
	many := []byte{'W', 2, 'e', '1', 0xff, 0xff, 0x03}
	for _, c := range []struct {
		name string
		b    []byte
		want string
	}{
		{"JSON", []byte(`{"epoch": "e1"}`), "byte 0: want 'W'"},
		{"the same sequence twice", AppendResults(nil, "e1", twice), "record 1 at byte"},
		{"a byte after the last record", append(AppendResults(nil, "e1", wireRecords()), 0), "1 bytes after the last record"},
		{"more records than bytes", many, "byte 4: a count of records"},
		{"an unknown phase index", func() []byte {
			one := AppendResults(nil, "e1", wireRecords()[:1])
			// 'W', epoch (3 bytes), count, gap, key (11 bytes), flags:
			// the phase is the next byte.
			one[1+3+1+1+11+1] = 200
			return one
		}(), "record 0 at byte 5: result"},
	} {
		_, _, err := DecodeResults(c.b)
		if !errors.Is(err, ErrResults) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.want)
		}
	}
}

func FuzzDecodeResults(f *testing.F) {
	f.Add(AppendResults(nil, "e1", wireRecords()))
	f.Add(AppendResults(nil, "", nil))
	f.Add([]byte{'W', 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		epoch, records, err := DecodeResults(b)
		if err != nil {
			if !errors.Is(err, ErrResults) {
				t.Fatalf("error %v does not wrap ErrResults", err)
			}
			return
		}
		for i := 1; i < len(records); i++ {
			if records[i].Seq <= records[i-1].Seq {
				t.Fatalf("record %d: sequence %d after %d", i, records[i].Seq, records[i-1].Seq)
			}
		}
		// What was read is written back and read the same.
		epoch2, again, err := DecodeResults(AppendResults(nil, epoch, records))
		if err != nil || epoch2 != epoch || !reflect.DeepEqual(again, records) {
			t.Fatalf("read back: %v %q %+v, want %q %+v", err, epoch2, again, epoch, records)
		}
	})
}

// resultsServer takes batches of results as a server does, in JSON, and
// in the binary form unless it is older than that form: it then reads
// every body as JSON, as such a server did.
type resultsServer struct {
	older  bool
	refuse string // when set, every batch is a 400 saying so
	mu     sync.Mutex
	types  []string
	keys   []string
}

func (s *resultsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	zr, err := gzip.NewReader(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	data, _ := io.ReadAll(zr)
	s.types = append(s.types, r.Header.Get("Content-Type"))
	if s.refuse != "" {
		http.Error(w, `{"message": "`+s.refuse+`"}`, http.StatusBadRequest)
		return
	}
	var batch struct {
		Epoch   string   `json:"epoch"`
		Records []Record `json:"records"`
	}
	if r.Header.Get("Content-Type") == ResultsMediaType && !s.older {
		batch.Epoch, batch.Records, err = DecodeResults(data)
	} else {
		err = json.Unmarshal(data, &batch)
	}
	if err != nil || len(batch.Records) == 0 {
		http.Error(w, `{"message": "malformed JSON"}`, http.StatusBadRequest)
		return
	}
	for _, rec := range batch.Records {
		s.keys = append(s.keys, rec.Key)
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ack": "99999"})
}

// A probe posts its results in the binary form, and in JSON to a server
// older than that form, which refuses the binary one: the batch refused
// is sent again, none is lost, and JSON stays.
func TestAProbeSendsJSONToAServerThatRefusesTheBinaryForm(t *testing.T) {
	for _, older := range []bool{false, true} {
		srv := &resultsServer{older: older}
		hs := httptest.NewServer(srv)
		r, err := NewRemote(RemoteOptions{Server: hs.URL, Token: "t", BufferDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		for round := range 2 {
			recs := wireRecords()
			if err := r.buf.Append(recs); err != nil {
				t.Fatal(err)
			}
			if err := r.push(context.Background()); err != nil {
				t.Fatalf("older %v, round %d: %v", older, round, err)
			}
		}
		hs.Close()
		_ = r.buf.Close()
		want := []string{ResultsMediaType, ResultsMediaType}
		if older {
			want = []string{ResultsMediaType, "application/json", "application/json"}
		}
		if !reflect.DeepEqual(srv.types, want) {
			t.Errorf("older %v: posted as %q, want %q", older, srv.types, want)
		}
		var keys []string
		for range 2 {
			for _, rec := range wireRecords() {
				keys = append(keys, rec.Key)
			}
		}
		if !reflect.DeepEqual(srv.keys, keys) || r.buf.Len() != 0 {
			t.Errorf("older %v: the server took %q (%d left in the buffer), want %q", older, srv.keys, r.buf.Len(), keys)
		}
	}
}

// A 400 for another reason than the form (a bad epoch) leaves the probe
// on the binary form: only an older server's "malformed JSON" turns it to
// JSON.
func TestAProbeKeepsTheBinaryFormThroughOtherRefusals(t *testing.T) {
	srv := &resultsServer{refuse: "epoch: want the probe buffer's id"}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	r, err := NewRemote(RemoteOptions{Server: hs.URL, Token: "t", BufferDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.buf.Close() }()
	if err := r.buf.Append(wireRecords()); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := r.push(context.Background()); err == nil || !strings.Contains(err.Error(), "epoch") {
			t.Fatalf("push: %v, want the server's refusal", err)
		}
	}
	if want := []string{ResultsMediaType, ResultsMediaType}; !reflect.DeepEqual(srv.types, want) {
		t.Errorf("posted as %q, want %q", srv.types, want)
	}
}
