//! The diagnosis of a fit: which circuit and why ([`choice`]), and what the
//! semicircle's capacitance means ([`attribution`]).

pub mod attribution;
pub mod choice;
