package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// humanSize writes a number of bytes for people, in decimal units as disks
// and backup tools count them, with the language's decimal mark and unit
// names: "7,5 Go" or "7.5 GB"; one decimal below 100 units.
func humanSize(n int64, lang string) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB", "EB"}
	if lang == "fr" {
		units = []string{"o", "ko", "Mo", "Go", "To", "Po", "Eo"}
	}
	if n < 1000 {
		return strconv.FormatInt(n, 10) + "\u00a0" + units[0]
	}
	v, i := float64(n), 0
	for v >= 999.95 && i < len(units)-1 {
		v /= 1000
		i++
	}
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if v >= 100 {
		s = strconv.FormatFloat(v, 'f', 0, 64)
	}
	if lang == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + "\u00a0" + units[i]
}

// humanDuration writes how long a job ran: "42 s", "24 min 20 s",
// "1 h 05 min", "2 j 3 h" (French) or "2 d 3 h".
func humanDuration(d time.Duration, lang string) string {
	d = d.Round(time.Second)
	day := "d"
	if lang == "fr" {
		day = "j"
	}
	s := int64(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%d\u00a0s", s)
	case s < 3600:
		return fmt.Sprintf("%d\u00a0min %02d\u00a0s", s/60, s%60)
	case s < 86400:
		return fmt.Sprintf("%d\u00a0h %02d\u00a0min", s/3600, s%3600/60)
	}
	return fmt.Sprintf("%d\u00a0%s %d\u00a0h", s/86400, day, s%86400/3600)
}
