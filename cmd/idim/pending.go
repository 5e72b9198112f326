package main

// Commands whose implementation has not landed yet. Each says what it will do
// and exits non-zero; a file that implements one removes its line here.
func init() {
}
