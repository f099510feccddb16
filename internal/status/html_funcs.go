package status

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/i18n"
)

// locale formats words, numbers, dates and durations in one language
// and one zone. Its fixed words are computed once, when the Renderer is
// made, and only read afterwards: a locale is safe for concurrent use.
type locale struct {
	lang  Lang
	b     *i18n.Bundle
	zone  *time.Location
	words map[string]string
}

// newLocale computes the fixed words of lang: every message as it reads
// without data. Day titles ask for the same few words thousands of times.
func newLocale(b *i18n.Bundle, lang Lang) *locale {
	l := &locale{lang: lang, b: b, zone: time.UTC, words: map[string]string{}}
	for _, id := range b.IDs(string(lang)) {
		l.words[id] = b.T(string(lang), id, nil)
	}
	return l
}

// in is the locale showing times in zone.
func (l *locale) in(zone *time.Location) *locale {
	c := *l
	c.zone = zone
	return &c
}

// t returns a message without data.
func (l *locale) t(id string) string {
	if s, ok := l.words[id]; ok {
		return s
	}
	return l.b.T(string(l.lang), id, nil)
}

// tf returns a message filled with data given as key, value pairs.
func (l *locale) tf(id string, kv ...any) string {
	if len(kv) == 0 {
		return l.t(id)
	}
	data := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		data[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return l.b.T(string(l.lang), id, data)
}

// label is a message followed by a colon, spaced as the language wants:
// "Début :" or "Started:".
func (l *locale) label(id string) string {
	return l.tf("PageLabel", "Label", l.tf(id))
}

// date is a day such as "6 déc. 2026" or "6 Dec 2026".
func (l *locale) date(t time.Time) string {
	t = t.In(l.zone)
	return fmt.Sprintf("%d %s %d", t.Day(), l.t(fmt.Sprintf("PageMonthShort%d", t.Month())), t.Year())
}

// month is a month such as "décembre 2026" or "December 2026".
func (l *locale) month(t time.Time) string {
	t = t.In(l.zone)
	return l.t(fmt.Sprintf("PageMonth%d", t.Month())) + " " + strconv.Itoa(t.Year())
}

// zoneLabel names the zone and its offset at t: "heure de Paris, UTC+1".
func (l *locale) zoneLabel(t time.Time) string {
	offset := offsetLabel(t.In(l.zone))
	name := l.zone.String()
	if name == "UTC" || name == "" || name == "Local" {
		return offset
	}
	city := strings.ReplaceAll(name[strings.LastIndex(name, "/")+1:], "_", " ")
	return l.tf("PageZone", "City", city, "Offset", offset)
}

// offsetLabel spells the offset of t's zone: "UTC", "UTC+1", "UTC−3:30".
func offsetLabel(t time.Time) string {
	_, off := t.Zone()
	if off == 0 {
		return "UTC"
	}
	sign := "+"
	if off < 0 {
		sign, off = "\u2212", -off
	}
	s := "UTC" + sign + strconv.Itoa(off/3600)
	if m := off % 3600 / 60; m != 0 {
		s += fmt.Sprintf(":%02d", m)
	}
	return s
}

// The formats of a <time> element, read again by static/status.js to
// rewrite the time in the reader's own zone.
const (
	fmtFull  = "full"  // date, time and zone
	fmtStart = "start" // date and time: the start of a window whose end names the zone
	fmtTime  = "time"  // time and zone
)

// stamp is a <time> element: the instant, its text in the page's zone,
// and the format the script rewrites it in.
type stamp struct {
	ISO, Text, Fmt string
}

// at is an instant written in full: "6 déc. 2026 à 14:05 (heure de
// Paris, UTC+1)".
func (l *locale) at(t time.Time) stamp {
	return l.stamp(t, fmtFull)
}

func (l *locale) stamp(t time.Time, format string) stamp {
	clock := t.In(l.zone).Format("15:04")
	var text string
	switch format {
	case fmtTime:
		text = clock + " (" + l.zoneLabel(t) + ")"
	case fmtStart:
		text = l.tf("PageDateTime", "Date", l.date(t), "Time", clock)
	default:
		text = l.tf("PageDateTime", "Date", l.date(t), "Time", clock) + " (" + l.zoneLabel(t) + ")"
	}
	return stamp{ISO: t.UTC().Format(time.RFC3339), Text: text, Fmt: format}
}

// window is a maintenance window's two ends: the end names the zone, and
// is only a time when the window ends the day it starts.
func (l *locale) window(from, until time.Time) (start, end stamp) {
	a, b := from.In(l.zone), until.In(l.zone)
	start = l.stamp(from, fmtStart)
	if a.Year() == b.Year() && a.YearDay() == b.YearDay() {
		return start, l.stamp(until, fmtTime)
	}
	return start, l.stamp(until, fmtFull)
}

// duration is a rounded length: "25 min", "2 h 05 min", "3 j 4 h".
func (l *locale) duration(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	m = max(m, 0)
	switch {
	case m < 60:
		return l.tf("PageDurationMinutes", "M", m)
	case m < 24*60:
		return l.tf("PageDurationHours", "H", m/60, "M", fmt.Sprintf("%02d", m%60))
	default:
		return l.tf("PageDurationDays", "D", m/(24*60), "H", m%(24*60)/60)
	}
}

// percent writes a share as a percentage with two decimals, rounded down
// so that a bad day never shows as 100: "99,95 %" or "99.95%".
func (l *locale) percent(share float64) string {
	v := math.Floor(math.Min(math.Max(share, 0), 1)*10000) / 100
	s := strconv.FormatFloat(v, 'f', 2, 64)
	if v == 100 {
		s = "100"
	}
	if l.lang == French {
		return strings.Replace(s, ".", ",", 1) + "\u00a0%"
	}
	return s + "%"
}

// text is a localized text for a template: Lang and Marker are set when
// it is in the other language, so that it is marked and spoken right.
type text struct {
	Text, Lang, Marker string
}

func (l *locale) text(t Text) text {
	loc := t.In(l.lang)
	if !loc.Fallback {
		return text{Text: loc.Text}
	}
	return text{Text: loc.Text, Lang: string(loc.Lang), Marker: l.b.T(string(loc.Lang), "PageFallbackMarker", nil)}
}

// plain is a localized text without its marker, for attributes and
// tooltips.
func (l *locale) plain(t Text) string { return t.In(l.lang).Text }
