//! The daemon: wires sources, the pipeline and the delivery workers with bounded
//! channels, and stops them in order when the shutdown future resolves.
