package reportonly

type hub struct{ in chan []byte }
