//! One module per subcommand (or group), each with its arguments and its `run`.

pub mod adopt;
pub mod agree;
pub mod amend;
pub mod blame;
pub mod bracket;
pub mod comment;
pub mod demo;
pub mod diff;
pub mod doc;
pub mod export;
pub mod generate;
pub mod import;
pub mod init;
pub mod log;
pub mod participant;
pub mod participation;
pub mod phase;
pub mod question;
pub mod replay;
pub mod report;
pub mod role;
pub mod show;
pub mod status;
pub mod tag;
pub mod verify;
