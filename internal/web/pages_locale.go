package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/i18n"
)

// pageLocale gives the page templates their words, dates and times in one
// language and zone.
type pageLocale struct {
	b    *i18n.Bundle
	lang string
	zone *time.Location
}

// t translates id with data given as key, value pairs.
func (l pageLocale) t(id string, kv ...any) string {
	if l.b == nil {
		return id
	}
	var data map[string]any
	if len(kv) > 0 {
		data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			data[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	return l.b.T(l.lang, id, data)
}

// word is a value of Vigie's vocabulary (an incident's status or
// severity…) in the page's language: the message "Word" + kind + "_" +
// value, or the value itself when there is none (the API's word).
func (l pageLocale) word(kind string, v any) string {
	value := fmt.Sprint(v)
	id := "Word" + kind + "_" + strings.ReplaceAll(value, "-", "_")
	if got := l.t(id); got != id {
		return got
	}
	return value
}

// date is a day such as "7 déc. 2026" or "7 Dec 2026".
func (l pageLocale) date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(l.zone)
	return fmt.Sprintf("%d %s %d", t.Day(), l.t(fmt.Sprintf("PageMonthShort%d", t.Month())), t.Year())
}

// when is a moment such as "7 déc. 2026, 10:02 (Paris, UTC+1)".
func (l pageLocale) when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(l.zone)
	return fmt.Sprintf("%s, %s (%s)", l.date(t), t.Format("15:04"), zoneName(t))
}

// zoneName names t's zone by its city and offset: "Paris, UTC+1".
func zoneName(t time.Time) string {
	name := t.Location().String()
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ReplaceAll(name, "_", " ")
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	h, m := off/3600, off%3600/60
	offset := fmt.Sprintf("UTC%s%d", sign, h)
	if m != 0 {
		offset += fmt.Sprintf(":%02d", m)
	}
	if off == 0 && sign == "+" {
		offset = "UTC"
	}
	if name == "UTC" || name == "Local" || name == "" {
		return offset
	}
	return name + ", " + offset
}
