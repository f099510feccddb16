// Package status is the public side of Vigie: the components the public
// sees and their status, the page state built from incidents and
// maintenance, the HTML pages, the Statuspage-compatible documents, the
// feeds and the calendar, rendered once per change into a Site of files
// that the web layer serves from memory and that a mirror writes to disk.
package status
