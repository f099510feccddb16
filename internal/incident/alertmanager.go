package incident

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"time"
)

// MaxAlertmanagerBody is the largest Alertmanager webhook body accepted, in
// bytes; the HTTP handler limits its reads to it, and ParseAlertmanager
// refuses anything longer.
const MaxAlertmanagerBody = 1 << 20

// AlertmanagerVersion is the only webhook payload version understood.
const AlertmanagerVersion = "4"

// AlertStatus is whether an Alertmanager alert, or a whole group, fires.
type AlertStatus string

// The statuses of Alertmanager alerts and groups.
const (
	AlertFiring   AlertStatus = "firing"
	AlertResolved AlertStatus = "resolved"
)

// Webhook is one Alertmanager webhook delivery (payload version 4): a
// notification about one group of alerts.
type Webhook struct {
	Version           string
	GroupKey          string
	TruncatedAlerts   int
	Status            AlertStatus
	Receiver          string
	GroupLabels       map[string]string
	CommonLabels      map[string]string
	CommonAnnotations map[string]string
	ExternalURL       string
	Alerts            []Alert
}

// Alert is one alert of a webhook delivery. Times are in UTC; EndsAt is
// zero when Alertmanager sent none or its zero time.
type Alert struct {
	Status       AlertStatus
	Labels       map[string]string
	Annotations  map[string]string
	StartsAt     time.Time
	EndsAt       time.Time
	GeneratorURL string
	// Fingerprint identifies the alert's label set. Alertmanager sends it
	// since 0.20; for older senders it is derived from the labels.
	Fingerprint string
}

// PayloadError is a webhook payload that cannot be accepted, naming the
// field at fault; every error of ParseAlertmanager is one.
type PayloadError struct {
	Field   string // JSON path such as "alerts[2].startsAt"; empty for the body as a whole
	Message string
}

// Error returns the problem, prefixed with the field when there is one.
func (e *PayloadError) Error() string {
	if e.Field == "" {
		return "alertmanager payload: " + e.Message
	}
	return "alertmanager payload: " + e.Field + ": " + e.Message
}

// wireWebhook is the payload as sent; alerts are decoded one by one so
// that errors can name the alert's index.
type wireWebhook struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []json.RawMessage `json:"alerts"`
}

type wireAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     string            `json:"startsAt"`
	EndsAt       string            `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// ParseAlertmanager reads an Alertmanager webhook body. Unknown fields are
// ignored, since Alertmanager adds some over releases, but the version
// must be AlertmanagerVersion, there must be at least one alert, statuses
// must be firing or resolved and times RFC 3339; a resolved alert needs
// an end not before its start.
func ParseAlertmanager(body []byte) (*Webhook, error) {
	if len(body) > MaxAlertmanagerBody {
		return nil, &PayloadError{Message: fmt.Sprintf("body larger than %d bytes", MaxAlertmanagerBody)}
	}
	var ww wireWebhook
	if err := json.Unmarshal(body, &ww); err != nil {
		return nil, jsonError("", err)
	}
	switch {
	case ww.Version == "":
		return nil, &PayloadError{Field: "version", Message: "missing"}
	case ww.Version != AlertmanagerVersion:
		return nil, &PayloadError{Field: "version", Message: fmt.Sprintf("%q not supported, want %q", ww.Version, AlertmanagerVersion)}
	case ww.TruncatedAlerts < 0:
		return nil, &PayloadError{Field: "truncatedAlerts", Message: "negative"}
	case len(ww.Alerts) == 0:
		return nil, &PayloadError{Field: "alerts", Message: "missing or empty"}
	}
	status, err := parseAlertStatus("status", ww.Status)
	if err != nil {
		return nil, err
	}
	w := &Webhook{
		Version:           ww.Version,
		GroupKey:          ww.GroupKey,
		TruncatedAlerts:   ww.TruncatedAlerts,
		Status:            status,
		Receiver:          ww.Receiver,
		GroupLabels:       ww.GroupLabels,
		CommonLabels:      ww.CommonLabels,
		CommonAnnotations: ww.CommonAnnotations,
		ExternalURL:       ww.ExternalURL,
		Alerts:            make([]Alert, 0, len(ww.Alerts)),
	}
	for i, raw := range ww.Alerts {
		a, err := parseAlert("alerts["+strconv.Itoa(i)+"]", raw)
		if err != nil {
			return nil, err
		}
		w.Alerts = append(w.Alerts, a)
	}
	return w, nil
}

// parseAlert decodes and checks the alert at path.
func parseAlert(path string, raw json.RawMessage) (Alert, error) {
	var wa wireAlert
	if err := json.Unmarshal(raw, &wa); err != nil {
		return Alert{}, jsonError(path, err)
	}
	status, err := parseAlertStatus(path+".status", wa.Status)
	if err != nil {
		return Alert{}, err
	}
	if wa.StartsAt == "" {
		return Alert{}, &PayloadError{Field: path + ".startsAt", Message: "missing"}
	}
	starts, err := parseAlertTime(path+".startsAt", wa.StartsAt)
	if err != nil {
		return Alert{}, err
	}
	if starts.IsZero() {
		return Alert{}, &PayloadError{Field: path + ".startsAt", Message: "zero time"}
	}
	ends, err := parseAlertTime(path+".endsAt", wa.EndsAt)
	if err != nil {
		return Alert{}, err
	}
	if status == AlertResolved {
		if ends.IsZero() {
			return Alert{}, &PayloadError{Field: path + ".endsAt", Message: "missing on a resolved alert"}
		}
		if ends.Before(starts) {
			return Alert{}, &PayloadError{Field: path + ".endsAt", Message: "before startsAt"}
		}
	}
	fp := wa.Fingerprint
	if fp == "" {
		fp = labelsFingerprint(wa.Labels)
	}
	return Alert{
		Status:       status,
		Labels:       wa.Labels,
		Annotations:  wa.Annotations,
		StartsAt:     starts,
		EndsAt:       ends,
		GeneratorURL: wa.GeneratorURL,
		Fingerprint:  fp,
	}, nil
}

func parseAlertStatus(field, s string) (AlertStatus, error) {
	switch st := AlertStatus(s); st {
	case AlertFiring, AlertResolved:
		return st, nil
	case "":
		return "", &PayloadError{Field: field, Message: "missing"}
	default:
		return "", &PayloadError{Field: field, Message: fmt.Sprintf("%q is neither firing nor resolved", s)}
	}
}

// parseAlertTime reads an RFC 3339 time in UTC; empty and Go's zero time,
// which Alertmanager sends for "no end", both give the zero time.
func parseAlertTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, &PayloadError{Field: field, Message: fmt.Sprintf("%q is not an RFC 3339 time", s)}
	}
	if t.IsZero() {
		return time.Time{}, nil
	}
	return t.UTC(), nil
}

// labelsFingerprint derives a stable fingerprint from a label set, for
// senders that give none; it is prefixed so as never to equal one of
// Alertmanager's 16-digit hex fingerprints.
func labelsFingerprint(labels map[string]string) string {
	h := fnv.New64a()
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		// The separators cannot occur in UTF-8 text, so pairs stay apart.
		h.Write([]byte(k))
		h.Write([]byte{0xff})
		h.Write([]byte(labels[k]))
		h.Write([]byte{0xfe})
	}
	return "labels:" + strconv.FormatUint(h.Sum64(), 16)
}

// jsonError turns a decoding error into a PayloadError naming the field
// under path.
func jsonError(path string, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := path
		if te.Field != "" {
			if field != "" {
				field += "."
			}
			field += te.Field
		}
		return &PayloadError{Field: field, Message: fmt.Sprintf("want %s, got %s", jsonKind(te.Type), te.Value)}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &PayloadError{Field: path, Message: fmt.Sprintf("invalid JSON: %v", err)}
	}
	return &PayloadError{Field: path, Message: err.Error()}
}

// jsonKind names a Go type the way JSON would.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "value"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map:
		if t.Elem().Kind() == reflect.String {
			return "object of strings"
		}
		return "object"
	case reflect.Struct:
		return "object"
	default:
		return t.String()
	}
}
