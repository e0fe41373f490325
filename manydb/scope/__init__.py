"""The routing state of one unit of work (a request, a job, a thread): what it wrote and which replica it reads."""
